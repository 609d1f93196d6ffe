namespace Megalodon.ML.Tests.Ner;

/// <summary>Finds the WNUT-17 and CrossNER files in the shared folder, or skips the test when they are not on this machine.</summary>
internal static class NerSharedData
{
    public static string FileOrSkip(params string[] relative) => PathOrSkip(relative, File.Exists);

    public static string FolderOrSkip(params string[] relative) => PathOrSkip(relative, Directory.Exists);

    private static string PathOrSkip(string[] relative, Func<string, bool> exists)
    {
        var shared = GoldenFixtures.SharedFolder();
        var path = shared is null ? null : Path.Combine([shared, "data", .. relative]);
        if (path is null || !exists(path))
            Assert.Inconclusive($"'data/{string.Join('/', relative)}' is not in the shared folder (set {GoldenFixtures.SharedVariable} or place 'shared' beside the repository).");
        return path!;
    }
}
