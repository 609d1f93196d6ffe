using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Transforms;

/// <summary>Hooks <see cref="MegalodonCatalog"/> into ML.NET's transforms catalog.</summary>
public static class MegalodonCatalogExtensions
{
    /// <summary>Megalodon.ML's estimators: <c>mlContext.Transforms.Megalodon().CountTokens(...)</c> and the like.</summary>
    /// <param name="catalog">The transforms catalog of an <c>MLContext</c>.</param>
    public static MegalodonCatalog Megalodon(this TransformsCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        // CatalogUtils is internal to Microsoft.ML.Data; reachable through the publicized reference (build/Publicizer).
        return new MegalodonCatalog(CatalogUtils.GetEnvironment(catalog));
    }
}
