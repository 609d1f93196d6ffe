namespace Megalodon.ML.Tests;

/// <summary>
/// Finds the shared golden fixtures without copying them into the repository: MEGALODON_SHARED when set, otherwise a
/// <c>shared</c> folder beside the repository root (the folder holding Megalodon.ML.sln) or beside one of its parents.
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

    /// <summary>The golden folder, or <see cref="Assert.Inconclusive(string)"/> when it is not on this machine.</summary>
    public static string GoldenFolderOrSkip()
    {
        var shared = SharedFolder();
        var golden = shared is null ? null : Path.Combine(shared, "megalodon-golden");
        if (golden is null || !Directory.Exists(golden))
            Assert.Inconclusive($"Golden fixtures not found (set {SharedVariable} or place 'shared/megalodon-golden' beside the repository).");
        return golden!;
    }

    /// <summary>One golden case folder, or inconclusive when missing.</summary>
    public static string CaseFolderOrSkip(string caseName)
    {
        var folder = Path.Combine(GoldenFolderOrSkip(), caseName);
        if (!Directory.Exists(folder))
            Assert.Inconclusive($"Golden case '{caseName}' not found under the shared fixtures.");
        return folder;
    }
}
