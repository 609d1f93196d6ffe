namespace Megalodon.Cli.Commands;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs its handler on the reporting thread, in order (unlike
/// <see cref="Progress{T}"/>, which posts to the thread pool and may reorder or outlive the work).
/// </summary>
/// <param name="handler">Called with each report.</param>
internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    /// <summary>Calls the handler.</summary>
    public void Report(T value) => handler(value);
}
