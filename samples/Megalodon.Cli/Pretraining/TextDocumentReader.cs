using Megalodon.Cli.CommandLine;
using Megalodon.Cli.Commands;

namespace Megalodon.Cli.Pretraining;

/// <summary>
/// Reads pretraining documents from files and folders. A file is read whatever its extension (it was named
/// explicitly); a folder contributes every <c>*.txt</c> file under it, recursively, in ordinal path order so runs are
/// reproducible. Each file is one document, or with <c>splitLines</c> each non-empty line is one.
/// </summary>
internal static class TextDocumentReader
{
    /// <summary>The extension read from folders.</summary>
    public const string TextExtension = ".txt";

    /// <summary>Reads the documents.</summary>
    /// <param name="paths">Files and folders.</param>
    /// <param name="splitLines">One document per non-empty line instead of one per file.</param>
    /// <param name="warn">Receives a line per skipped (empty) file.</param>
    /// <exception cref="CommandFailedException">A path does not exist, a folder holds no .txt file, or every file is empty.</exception>
    public static TextDocumentSet Read(IReadOnlyList<string> paths, bool splitLines, Action<string> warn)
    {
        var files = ListFiles(paths);
        var documents = new List<string>();
        int read = 0, skipped = 0;
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var fromFile = splitLines
                ? text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => !string.IsNullOrWhiteSpace(line)).ToList()
                : string.IsNullOrWhiteSpace(text) ? [] : [text];
            if (fromFile.Count == 0)
            {
                warn($"warning: skipping '{file}': it holds no text.");
                skipped++;
                continue;
            }
            documents.AddRange(fromFile);
            read++;
        }
        if (documents.Count == 0)
            throw new CommandFailedException($"no text to train on: all {files.Count} file(s) are empty.");
        return new TextDocumentSet(documents, read, skipped);
    }

    /// <summary>The files the paths name, without duplicates, in argument order (folders expanded and sorted).</summary>
    public static IReadOnlyList<string> ListFiles(IReadOnlyList<string> paths)
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            IEnumerable<string> found;
            if (File.Exists(path)) found = [path];
            else if (Directory.Exists(path))
            {
                var inFolder = Directory.EnumerateFiles(path, "*" + TextExtension, SearchOption.AllDirectories)
                    // The pattern also matches ".txtx" on some platforms; keep exact extensions only.
                    .Where(f => string.Equals(Path.GetExtension(f), TextExtension, StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (inFolder.Count == 0)
                    throw new CommandFailedException($"no {TextExtension} files found under '{path}'.");
                found = inFolder;
            }
            else throw new CommandFailedException($"data path '{path}' does not exist.");
            files.AddRange(found.Where(f => seen.Add(Path.GetFullPath(f))));
        }
        return files;
    }
}
