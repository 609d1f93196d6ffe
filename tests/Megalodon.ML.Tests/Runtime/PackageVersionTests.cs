using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Tokenizers;

namespace Megalodon.ML.Tests.Runtime;

/// <summary>
/// The suite runs on the Microsoft.ML it was built for: CI builds it once on the default (5.0.1) and once with
/// <c>-p:MlNetVersion=6.0.0</c>, and a switch that silently kept the old version would make the second run prove nothing.
/// </summary>
[TestClass]
public sealed class PackageVersionTests
{
    private static string Recorded(string key) =>
        typeof(PackageVersionTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The test assembly does not record {key}.");

    /// <summary>The package version of a loaded assembly (its informational version without the commit; the assembly version is 1.0.0.0 or similar in every release).</summary>
    private static string PackageVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no informational version.");

    [TestMethod]
    public void TheProcessRunsTheMicrosoftMLAndTokenizersVersionsTheBuildAskedFor()
    {
        string mlnet = Recorded("MlNetVersion");
        Assert.AreEqual(mlnet, PackageVersion(typeof(MLContext).Assembly), "Microsoft.ML");
        Assert.AreEqual(mlnet, PackageVersion(typeof(IDataView).Assembly), "Microsoft.ML.DataView");
        Assert.AreEqual(Recorded("TokenizersVersion"), PackageVersion(typeof(Tokenizer).Assembly), "Microsoft.ML.Tokenizers");
    }
}
