using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Megalodon.ML.Ner;

/// <summary>
/// Reads and writes concept annotations as JSON lines: one object per line,
/// <c>{"text": "...", "entities": [{"start": 0, "end": 5, "concept": "person", "description": "..."}]}</c>.
/// </summary>
/// <remarks>
/// <para><c>text</c> and <c>entities</c> are required (<c>entities</c> may be empty); each entity needs integer <c>start</c> and
/// <c>end</c> (end exclusive) and a non-empty string <c>concept</c>; <c>description</c> is optional (a string or null). Other
/// fields are ignored. Blank lines are skipped. Offsets count UTF-16 code units unless <see cref="ConceptOffsetUnit.CodePoint"/>
/// is asked for (files from Python tools).</para>
/// <para>Every problem is a <see cref="NerDataException"/> naming the file and line: bad JSON, a missing or mistyped field,
/// a span outside the text, start ≥ end.</para>
/// </remarks>
public static class ConceptJsonl
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Reads every sentence of a JSONL file (UTF-8).</summary>
    /// <param name="path">The file.</param>
    /// <param name="unit">What the offsets count.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="NerDataException">A line is malformed.</exception>
    public static IReadOnlyList<ConceptAnnotatedSentence> ReadFile(string path, ConceptOffsetUnit unit = ConceptOffsetUnit.Utf16)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The concept JSONL file '{path}' does not exist.", path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path, unit);
    }

    /// <summary>Reads every sentence of JSONL text held in memory.</summary>
    /// <param name="text">The file contents.</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <param name="unit">What the offsets count.</param>
    /// <exception cref="NerDataException">A line is malformed.</exception>
    public static IReadOnlyList<ConceptAnnotatedSentence> Parse(string text, string sourceName = "<text>", ConceptOffsetUnit unit = ConceptOffsetUnit.Utf16)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return Read(reader, sourceName, unit);
    }

    /// <summary>Reads every sentence from a reader.</summary>
    /// <param name="reader">The JSONL text; read to its end.</param>
    /// <param name="sourceName">Name used in error messages (usually the file path).</param>
    /// <param name="unit">What the offsets count.</param>
    /// <exception cref="NerDataException">A line is malformed.</exception>
    public static IReadOnlyList<ConceptAnnotatedSentence> Read(TextReader reader, string sourceName, ConceptOffsetUnit unit = ConceptOffsetUnit.Utf16)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        var sentences = new List<ConceptAnnotatedSentence>();
        int lineNumber = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (lineNumber == 1 && line.Length > 0 && line[0] == '\uFEFF')
                line = line[1..];
            if (string.IsNullOrWhiteSpace(line))
                continue;
            sentences.Add(ParseLine(line, sourceName, lineNumber, unit));
        }
        return sentences;
    }

    /// <summary>Writes sentences to a JSONL file (UTF-8 without BOM, one line each, offsets in UTF-16 code units).</summary>
    /// <param name="path">The file; replaced if it exists.</param>
    /// <param name="sentences">The sentences.</param>
    public static void WriteFile(string path, IEnumerable<ConceptAnnotatedSentence> sentences)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(sentences);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(writer, sentences);
    }

    /// <summary>Writes sentences as JSON lines (offsets in UTF-16 code units; <c>description</c> only when set).</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="sentences">The sentences.</param>
    public static void Write(TextWriter writer, IEnumerable<ConceptAnnotatedSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(sentences);
        foreach (var sentence in sentences)
            writer.Write(ToJsonLine(sentence) + "\n"); // "\n" on every platform, so files are byte-identical
    }

    /// <summary>One sentence as a JSON object on one line (no line break).</summary>
    /// <param name="sentence">The sentence.</param>
    public static string ToJsonLine(ConceptAnnotatedSentence sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("text", sentence.Text);
            json.WriteStartArray("entities");
            foreach (var span in sentence.Entities)
            {
                json.WriteStartObject();
                json.WriteNumber("start", span.Start);
                json.WriteNumber("end", span.End);
                json.WriteString("concept", span.Concept);
                if (span.Description is not null)
                    json.WriteString("description", span.Description);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static ConceptAnnotatedSentence ParseLine(string line, string sourceName, int lineNumber, ConceptOffsetUnit unit)
    {
        NerDataException Error(string problem, Exception? inner = null) => new(sourceName, lineNumber, problem, inner);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw Error($"Not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Error($"Expected a JSON object with 'text' and 'entities', found {Describe(root.ValueKind)}.");
            if (!root.TryGetProperty("text", out var textElement))
                throw Error("The required field 'text' is missing.");
            if (textElement.ValueKind != JsonValueKind.String)
                throw Error($"The field 'text' must be a string, found {Describe(textElement.ValueKind)}.");
            string text = textElement.GetString()!;
            if (string.IsNullOrWhiteSpace(text))
                throw Error("The field 'text' is empty or whitespace only.");
            if (!root.TryGetProperty("entities", out var entitiesElement))
                throw Error("The required field 'entities' is missing (write [] for a sentence without entities).");
            if (entitiesElement.ValueKind != JsonValueKind.Array)
                throw Error($"The field 'entities' must be an array, found {Describe(entitiesElement.ValueKind)}.");

            int[]? utf16Index = unit == ConceptOffsetUnit.CodePoint ? CodePointToUtf16(text) : null;
            int textLength = utf16Index is null ? text.Length : utf16Index.Length - 1;
            string unitName = unit == ConceptOffsetUnit.CodePoint ? "code points" : "UTF-16 code units";
            var spans = new List<ConceptSpan>();
            int index = 0;
            foreach (var entity in entitiesElement.EnumerateArray())
            {
                string where = $"Entity {index}";
                if (entity.ValueKind != JsonValueKind.Object)
                    throw Error($"{where} must be an object with 'start', 'end' and 'concept', found {Describe(entity.ValueKind)}.");
                int start = ReadOffset(entity, "start", where, Error);
                int end = ReadOffset(entity, "end", where, Error);
                if (!entity.TryGetProperty("concept", out var conceptElement))
                    throw Error($"{where}: the required field 'concept' is missing.");
                if (conceptElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(conceptElement.GetString()))
                    throw Error($"{where}: 'concept' must be a non-empty string.");
                string? description = null;
                if (entity.TryGetProperty("description", out var descriptionElement) && descriptionElement.ValueKind != JsonValueKind.Null)
                {
                    if (descriptionElement.ValueKind != JsonValueKind.String)
                        throw Error($"{where}: 'description' must be a string or null, found {Describe(descriptionElement.ValueKind)}.");
                    description = descriptionElement.GetString();
                }
                string concept = conceptElement.GetString()!;
                if (start < 0 || end > textLength)
                    throw Error($"{where} ('{concept}') spans [{start}, {end}), outside the text of {textLength} {unitName}.");
                if (start >= end)
                    throw Error($"{where} ('{concept}') has start {start} >= end {end}; a span needs at least one character.");
                if (utf16Index is not null)
                    (start, end) = (utf16Index[start], utf16Index[end]);
                spans.Add(new ConceptSpan(start, end, concept, description));
                index++;
            }
            try
            {
                return new ConceptAnnotatedSentence(text, spans);
            }
            catch (ArgumentException e)
            {
                throw Error(e.Message, e);
            }
        }
    }

    private static int ReadOffset(JsonElement entity, string name, string where, Func<string, Exception?, NerDataException> error)
    {
        if (!entity.TryGetProperty(name, out var element))
            throw error($"{where}: the required field '{name}' is missing.", null);
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out int value))
            throw error($"{where}: '{name}' must be an integer, found {element.GetRawText()}.", null);
        return value;
    }

    /// <summary>For each code-point index 0..n (inclusive), the matching UTF-16 index.</summary>
    private static int[] CodePointToUtf16(string text)
    {
        var map = new List<int>(text.Length + 1);
        int i = 0;
        while (i < text.Length)
        {
            map.Add(i);
            i += char.IsSurrogatePair(text, i) ? 2 : 1;
        }
        map.Add(text.Length);
        return map.ToArray();
    }

    private static string Describe(JsonValueKind kind) => kind.ToString().ToLower(CultureInfo.InvariantCulture);
}
