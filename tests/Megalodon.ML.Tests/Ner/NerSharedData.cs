namespace Megalodon.ML.Tests.Ner;

/// <summary>Finds the WNUT-17 and CrossNER files in the shared folder, or skips the test when they are not on this machine.</summary>
internal static class NerSharedData
{
    public static string FileOrSkip(params string[] relative)
    {
        var shared = GoldenFixtures.SharedFolder();
        var path = shared is null ? null : Path.Combine([shared, "data", .. relative]);
        if (path is null || !File.Exists(path))
            Assert.Inconclusive($"The NER data file 'data/{string.Join('/', relative)}' is not in the shared folder (set {GoldenFixtures.SharedVariable} or place 'shared' beside the repository).");
        return path!;
    }

    public static string FolderOrSkip(params string[] relative)
    {
        var shared = GoldenFixtures.SharedFolder();
        var path = shared is null ? null : Path.Combine([shared, "data", .. relative]);
        if (path is null || !Directory.Exists(path))
            Assert.Inconclusive($"The NER data folder 'data/{string.Join('/', relative)}' is not in the shared folder (set {GoldenFixtures.SharedVariable} or place 'shared' beside the repository).");
        return path!;
    }
}
