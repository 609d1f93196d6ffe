namespace Megalodon.ML.Ner;

/// <summary>
/// Reads CoNLL-style BIO files: one <c>word label</c> line per word, sentences separated by blank lines.
/// </summary>
/// <remarks>
/// <para>What is accepted, because the WNUT-17 and CrossNER files need it:</para>
/// <list type="bullet">
/// <item>Fields are separated by tabs when the line has one, otherwise by runs of whitespace. The word is the first field and the
/// label the last, so extra middle columns (CoNLL-2003's POS and chunk tags) are ignored.</item>
/// <item>Any line holding only whitespace or invisible characters ends a sentence: WNUT-17's training file separates sentences
/// with a line holding a single TAB. Several separator lines in a row, and a missing final newline, are fine.</item>
/// <item><c>-DOCSTART-</c> lines end the current sentence and are skipped.</item>
/// <item>Trailing whitespace and CR (Windows line ends) are dropped; a byte-order mark at the start of the file is skipped.</item>
/// <item>Words are kept verbatim otherwise: zero-width and variation-selector characters inside or forming a word (WNUT-17 has
/// a zero-width space inside a word, a word ending in U+FEFF, and words made of U+FE0F alone) stay, since they are real input a model sees.</item>
/// </list>
/// <para>Errors (<see cref="NerDataException"/>, naming the file and line): a line with one field, an empty word field, a word
/// holding whitespace, or a label that is not <c>O</c>/<c>B-type</c>/<c>I-type</c>. With <see cref="ConllReaderOptions.Lenient"/>
/// the word-field errors are repaired instead (one word per line is kept, so gold spans do not move) and reported in
/// <see cref="ConllReadResult.Repairs"/>.</para>
/// </remarks>
public static class ConllReader
{
    private const string DocumentStart = "-DOCSTART-";

    /// <summary>Reads every sentence of a file (UTF-8).</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="NerDataException">A line is malformed.</exception>
    public static IReadOnlyList<NerSentence> ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The CoNLL file '{path}' does not exist.", path);
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path);
    }

    /// <summary>Reads every sentence of a file (UTF-8) with the given options, and reports the lines repaired.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Strict or lenient reading.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="NerDataException">A line is malformed beyond what the options repair.</exception>
    public static ConllReadResult ReadFile(string path, ConllReaderOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The CoNLL file '{path}' does not exist.", path);
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path, options);
    }

    /// <summary>Reads every sentence of CoNLL text held in memory with the given options, and reports the lines repaired.</summary>
    /// <param name="text">The file contents.</param>
    /// <param name="options">Strict or lenient reading.</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <exception cref="NerDataException">A line is malformed beyond what the options repair.</exception>
    public static ConllReadResult Parse(string text, ConllReaderOptions options, string sourceName = "<text>")
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return Read(reader, sourceName, options);
    }

    /// <summary>Reads every sentence of CoNLL text held in memory.</summary>
    /// <param name="text">The file contents.</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <exception cref="NerDataException">A line is malformed.</exception>
    public static IReadOnlyList<NerSentence> Parse(string text, string sourceName = "<text>")
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return Read(reader, sourceName);
    }

    /// <summary>Reads every sentence from a reader.</summary>
    /// <param name="reader">The text; read to its end.</param>
    /// <param name="sourceName">Name used in error messages (usually the file path).</param>
    /// <exception cref="NerDataException">A line is malformed.</exception>
    public static IReadOnlyList<NerSentence> Read(TextReader reader, string sourceName) => Read(reader, sourceName, ConllReaderOptions.Strict).Sentences;

    /// <summary>Reads every sentence from a reader with the given options, and reports the lines repaired.</summary>
    /// <param name="reader">The text; read to its end.</param>
    /// <param name="sourceName">Name used in error messages (usually the file path).</param>
    /// <param name="options">Strict or lenient reading.</param>
    /// <exception cref="NerDataException">A line is malformed beyond what the options repair.</exception>
    public static ConllReadResult Read(TextReader reader, string sourceName, ConllReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var repairs = new List<ConllRepair>();
        var sentences = new List<NerSentence>();
        var words = new List<string>();
        var labels = new List<string>();
        int firstLine = 0, lineNumber = 0;

        void EndSentence()
        {
            if (words.Count > 0)
            {
                try
                {
                    sentences.Add(new NerSentence(words, labels));
                }
                catch (ArgumentException e)
                {
                    throw new NerDataException(sourceName, firstLine, $"The sentence starting here is invalid: {e.Message}", e);
                }
            }
            words.Clear();
            labels.Clear();
        }

        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            var content = line.AsSpan();
            if (lineNumber == 1 && content.Length > 0 && content[0] == '\uFEFF')
                content = content[1..]; // a BOM the reader did not strip (e.g. text from a string)
            content = content.TrimEnd();
            if (IsBlank(content))
            {
                EndSentence();
                continue;
            }
            if (content.StartsWith(DocumentStart, StringComparison.Ordinal))
            {
                EndSentence();
                continue;
            }
            var (word, label) = SplitLine(content, sourceName, lineNumber, options, repairs);
            if (!BioTag.TryParse(label, out _, out string? why))
                throw new NerDataException(sourceName, lineNumber, why!);
            if (words.Count == 0)
                firstLine = lineNumber;
            words.Add(word);
            labels.Add(label);
        }
        EndSentence();
        return new ConllReadResult(sentences, repairs);
    }

    private static (string Word, string Label) SplitLine(ReadOnlySpan<char> line, string sourceName, int lineNumber, ConllReaderOptions options, List<ConllRepair> repairs)
    {
        string word, label;
        int firstTab = line.IndexOf('\t');
        if (firstTab >= 0)
        {
            word = line[..firstTab].Trim(' ').ToString();
            label = line[(line.LastIndexOf('\t') + 1)..].Trim(' ').ToString();
        }
        else
        {
            var text = line.TrimStart();
            int firstSpace = text.IndexOfAny(WhitespaceChars.All);
            if (firstSpace < 0)
            {
                // "  O": the word was a lone space, read as the field separator; only a label is left.
                if (options.Lenient && text.Length < line.Length && BioTag.TryParse(text.ToString(), out _))
                    return (Repair(lineNumber, ConllRepairKind.EmptyWord, line[..^text.Length].ToString(), options.Placeholder, repairs), text.ToString());
                throw new NerDataException(sourceName, lineNumber, $"Expected 'word<TAB>label' but found one field only: '{line.ToString()}'.");
            }
            word = text[..firstSpace].ToString();
            label = text[(text.LastIndexOfAny(WhitespaceChars.All) + 1)..].ToString();
        }
        if (label.Length == 0)
            throw new NerDataException(sourceName, lineNumber, $"The label field is empty: '{line.ToString()}'.");
        if (word.Length == 0 || word.All(char.IsWhiteSpace))
        {
            if (!options.Lenient)
                throw new NerDataException(sourceName, lineNumber, $"The word field is empty: '{line.ToString()}'. Read with ConllReaderOptions {{ Lenient = true }} to replace it with a placeholder.");
            return (Repair(lineNumber, ConllRepairKind.EmptyWord, word, options.Placeholder, repairs), label);
        }
        int space = word.AsSpan().IndexOfAny(WhitespaceChars.All);
        if (space >= 0)
        {
            if (!options.Lenient)
                throw new NerDataException(sourceName, lineNumber, $"The word '{word}' contains whitespace (U+{(int)word[space]:X4}); words are joined and split on whitespace. Read with ConllReaderOptions {{ Lenient = true }} to join its parts with a placeholder.");
            string joined = string.Join(options.Placeholder, word.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            return (Repair(lineNumber, ConllRepairKind.WordWithWhitespace, word, joined, repairs), label);
        }
        return (word, label);
    }

    private static string Repair(int lineNumber, ConllRepairKind kind, string original, string word, List<ConllRepair> repairs)
    {
        repairs.Add(new ConllRepair(lineNumber, kind, original, word));
        return word;
    }

    private static bool IsBlank(ReadOnlySpan<char> line)
    {
        foreach (char c in line)
        {
            if (!char.IsWhiteSpace(c) && !IsInvisible(c))
                return false;
        }
        return true;
    }

    // Zero-width characters a separator line may carry without meaning anything (editors and scrapers leave them).
    private static bool IsInvisible(char c) => c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF';
}
