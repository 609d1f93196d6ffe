using Microsoft.ML.Runtime;

namespace Megalodon.ML.Transforms;

/// <summary>
/// The entry point to Megalodon.ML's ML.NET components, reached with <c>mlContext.Transforms.Megalodon()</c>.
/// </summary>
/// <remarks>
/// Each component adds its catalog methods as extension methods on this class in its own file (for example
/// <see cref="TokenCountCatalog"/>), so features stay independent of one another.
/// </remarks>
public sealed class MegalodonCatalog
{
    internal MegalodonCatalog(IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Environment = environment;
    }

    /// <summary>The ML.NET environment of the <c>MLContext</c> this catalog came from (seed, logging, cancellation).</summary>
    internal IHostEnvironment Environment { get; }
}
