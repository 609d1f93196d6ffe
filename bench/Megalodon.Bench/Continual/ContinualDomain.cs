using System.Text;
using System.Text.RegularExpressions;

namespace Megalodon.Bench.Continual;

/// <summary>One domain of the continual pre-training experiment: its training and validation documents.</summary>
/// <param name="Name">Short name used in tables.</param>
/// <param name="Train">Training documents, in a fixed order.</param>
/// <param name="Validation">Held-out documents (never trained on).</param>
internal sealed record ContinualDomain(string Name, IReadOnlyList<string> Train, IReadOnlyList<string> Validation)
{
    /// <summary>Bytes of training text.</summary>
    public long TrainBytes => Train.Sum(d => (long)Encoding.UTF8.GetByteCount(d));

    /// <summary>Bytes of validation text.</summary>
    public long ValidationBytes => Validation.Sum(d => (long)Encoding.UTF8.GetByteCount(d));

    /// <summary>
    /// State of the Union addresses (D0): one document per address, in year order; every tenth address (the 10th,
    /// 20th, ...) is held out, so validation spans the whole period instead of only its end.
    /// </summary>
    public static ContinualDomain StateOfTheUnion()
    {
        var files = Directory.GetFiles(SharedData.DataPath("sotu", "txt"), "*.txt").Order(StringComparer.Ordinal).ToArray();
        if (files.Length < 10) throw new InvalidDataException($"Expected the 233 State of the Union files, found {files.Length}.");
        var texts = files.Select(File.ReadAllText).ToArray();
        return new ContinualDomain("sotu",
            texts.Where((_, i) => i % 10 != 9).ToArray(),
            texts.Where((_, i) => i % 10 == 9).ToArray());
    }

    /// <summary>
    /// WikiText-2 (weak shift: English prose of another kind). Only its validation and test splits are in the shared
    /// folder, so both are cut into articles at their top-level headings and the first 90% train, the last 10% validate.
    /// </summary>
    public static ContinualDomain WikiText()
    {
        var articles = SplitArticles(File.ReadAllText(SharedData.DataPath("wikitext-2", "valid.txt")))
            .Concat(SplitArticles(File.ReadAllText(SharedData.DataPath("wikitext-2", "test.txt")))).ToArray();
        int cut = (int)(articles.Length * 0.9);
        return new ContinualDomain("wikitext-2", articles[..cut], articles[cut..]);
    }

    /// <summary>Linux kernel C sources (strong shift): the train split for training and the valid split for validation, in documents of about 8 KB cut at blank lines.</summary>
    public static ContinualDomain LinuxKernel() => new("linux-kernel",
        Paragraphs(File.ReadAllText(SharedData.DataPath("linux-kernel", "train.txt")), 8192),
        Paragraphs(File.ReadAllText(SharedData.DataPath("linux-kernel", "valid.txt")), 8192));

    // A top-level WikiText heading is a line " = Title = " (one '=' on each side; subsections have more).
    private static readonly Regex Heading = new(@"^ = [^=].* = $", RegexOptions.Multiline);

    private static IEnumerable<string> SplitArticles(string text)
    {
        var starts = Heading.Matches(text).Select(m => m.Index).ToList();
        if (starts.Count == 0) throw new InvalidDataException("No WikiText article headings found.");
        for (int i = 0; i < starts.Count; i++)
        {
            int end = i + 1 < starts.Count ? starts[i + 1] : text.Length;
            var article = text[starts[i]..end].Trim();
            if (article.Length > 0) yield return article;
        }
    }

    /// <summary>Cuts text into documents of at least <paramref name="targetBytes"/> characters, each ending at a blank line.</summary>
    private static string[] Paragraphs(string text, int targetBytes)
    {
        var documents = new List<string>();
        int start = 0;
        while (start < text.Length)
        {
            int end = start + targetBytes >= text.Length ? text.Length : text.IndexOf("\n\n", start + targetBytes, StringComparison.Ordinal);
            end = end < 0 ? text.Length : Math.Min(text.Length, end + 2);
            var document = text[start..end].Trim('\n');
            if (document.Length > 0) documents.Add(document);
            start = end;
        }
        return documents.ToArray();
    }
}
