namespace Megalodon.ML.Tests;

/// <summary>
/// Finds the golden fixtures, which the repository carries (<c>tests/fixtures/megalodon-golden</c>, the six public
/// cases), so parity runs on every clone; a missing fixture fails the test. Also finds the shared data folder
/// (MEGALODON_SHARED, or a <c>shared</c> folder beside the repository root or one of its parents) for other data.
/// </summary>
internal static class GoldenFixtures
{
    public const string SharedVariable = "MEGALODON_SHARED";

    public static string? SharedFolder()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(SharedVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return Directory.Exists(fromEnvironment) ? Path.GetFullPath(fromEnvironment) : null;
        var root = RepositoryRoot();
        // ../shared of the repository; a worktree kept one level deeper finds it one parent further up.
        for (var dir = root is null ? null : Directory.GetParent(root); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Megalodon.ML.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>The repository's relative path of the golden fixtures.</summary>
    public static readonly string RelativeGoldenFolder = Path.Combine("tests", "fixtures", "megalodon-golden");

    /// <summary>The golden folder of this repository; the test fails when it is missing (a broken clone, not a skip).</summary>
    public static string GoldenFolder()
    {
        var root = RepositoryRoot();
        var golden = root is null ? null : Path.Combine(root, RelativeGoldenFolder);
        if (golden is null || !Directory.Exists(golden))
            Assert.Fail($"Golden fixtures not found: '{RelativeGoldenFolder}' is missing under the repository root ({root ?? "not found"}).");
        return golden!;
    }

    /// <summary>One golden case folder; the test fails when it is missing.</summary>
    public static string CaseFolder(string caseName)
    {
        var folder = Path.Combine(GoldenFolder(), caseName);
        if (!Directory.Exists(folder))
            Assert.Fail($"Golden case '{caseName}' not found under '{RelativeGoldenFolder}'.");
        return folder;
    }
}
