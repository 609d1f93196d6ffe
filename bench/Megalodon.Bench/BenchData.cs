namespace Megalodon.Bench;

/// <summary>Where the benches find the shared data folder (read only; nothing is copied into the repository).</summary>
internal static class BenchData
{
    /// <summary>MEGALODON_SHARED, else the <c>shared</c> folder beside the repository root.</summary>
    public static string SharedFolder()
    {
        if (Environment.GetEnvironmentVariable("MEGALODON_SHARED") is { Length: > 0 } fromEnv) return fromEnv;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Megalodon.ML.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
        throw new DirectoryNotFoundException("Cannot find the repository root (Megalodon.ML.sln) above the bench; set MEGALODON_SHARED.");
    }
}
