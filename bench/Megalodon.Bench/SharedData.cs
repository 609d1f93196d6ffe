namespace Megalodon.Bench;

/// <summary>Finds the shared data folder (never copied into the repository): MEGALODON_SHARED, else ../shared beside the repository.</summary>
internal static class SharedData
{
    /// <summary>The shared folder.</summary>
    /// <exception cref="DirectoryNotFoundException">Neither MEGALODON_SHARED nor the repository root was found.</exception>
    public static string Folder()
    {
        if (Environment.GetEnvironmentVariable("MEGALODON_SHARED") is { Length: > 0 } fromEnv) return fromEnv;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Megalodon.ML.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
        throw new DirectoryNotFoundException("Cannot find the repository root (Megalodon.ML.sln) above the bench; set MEGALODON_SHARED.");
    }

    /// <summary>A path under the shared data folder, checked to exist.</summary>
    /// <param name="parts">Path parts below <c>data/</c>.</param>
    /// <exception cref="FileNotFoundException">It does not exist.</exception>
    public static string DataPath(params string[] parts)
    {
        var path = Path.Combine([Folder(), "data", .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"'{path}' not found (set MEGALODON_SHARED to the shared folder).", path);
        return path;
    }
}
