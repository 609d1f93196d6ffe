using Megalodon.Cli.CommandLine;
using Megalodon.Cli.Commands;
using Megalodon.Cli.Pretraining;

namespace Megalodon.ML.Tests.Cli;

[TestClass]
public sealed class TextDocumentReaderTests
{
    [TestMethod]
    public void FoldersAreSearchedRecursivelyForTextFilesInOrdinalOrder()
    {
        using var scratch = new ScratchFolder();
        Directory.CreateDirectory(scratch.File("b"));
        File.WriteAllText(scratch.File("b/z.txt"), "z");
        File.WriteAllText(scratch.File("a.txt"), "a");
        File.WriteAllText(scratch.File("B.txt"), "B");
        File.WriteAllText(scratch.File("c.md"), "ignored");
        var files = TextDocumentReader.ListFiles([scratch.Path]).Select(f => Path.GetRelativePath(scratch.Path, f)).ToArray();
        CollectionAssert.AreEqual(new[] { "B.txt", "a.txt", Path.Combine("b", "z.txt") }, files);
    }

    [TestMethod]
    public void NamedFilesAreReadWhateverTheirExtensionAndOnlyOnce()
    {
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("notes.md"), "one");
        File.WriteAllText(scratch.File("x.txt"), "two");
        var set = TextDocumentReader.Read([scratch.File("notes.md"), scratch.Path, scratch.File("x.txt")], splitLines: false, _ => { });
        CollectionAssert.AreEqual(new[] { "one", "two" }, set.Documents.ToArray());
        Assert.AreEqual(2, set.FilesRead);
    }

    [TestMethod]
    public void SplitLinesSkipsBlankLinesAndEmptyFilesAreWarnedAbout()
    {
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("a.txt"), "first\r\n\r\n  \nsecond\n");
        File.WriteAllText(scratch.File("b.txt"), "\n\n");
        var warnings = new List<string>();
        var set = TextDocumentReader.Read([scratch.Path], splitLines: true, warnings.Add);
        CollectionAssert.AreEqual(new[] { "first", "second" }, set.Documents.ToArray());
        Assert.AreEqual(1, set.FilesSkipped);
        Assert.HasCount(1, warnings);
        StringAssert.Contains(warnings[0], "b.txt");
    }

    [TestMethod]
    public void MissingPathsAndFoldersWithoutTextFilesFail()
    {
        using var scratch = new ScratchFolder();
        var missing = Assert.ThrowsExactly<CommandFailedException>(() => TextDocumentReader.ListFiles([scratch.File("nope")]));
        StringAssert.Contains(missing.Message, "does not exist");
        var empty = Assert.ThrowsExactly<CommandFailedException>(() => TextDocumentReader.ListFiles([scratch.Path]));
        StringAssert.Contains(empty.Message, "no .txt files found");
    }
}
