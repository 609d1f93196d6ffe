namespace Megalodon.Cli.Pretraining;

/// <summary>Training documents read from text files.</summary>
/// <param name="Documents">The documents, in file order (and line order within a file with <c>--split-lines</c>).</param>
/// <param name="FilesRead">Files that contributed at least one document.</param>
/// <param name="FilesSkipped">Files skipped because they hold no text.</param>
internal sealed record TextDocumentSet(IReadOnlyList<string> Documents, int FilesRead, int FilesSkipped)
{
    /// <summary>Characters over all documents.</summary>
    public long Characters => Documents.Sum(d => (long)d.Length);
}
