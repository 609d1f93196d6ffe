using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Megalodon.ML.Ner;

/// <summary>
/// NuNER's data step over any <see cref="IChatClient"/>: a language model reads raw sentences and names every entity
/// mention with a free-form concept; the result is the concept JSONL (<see cref="ConceptJsonl"/>) that concept-contrastive
/// pretraining reads. The model answers with mention strings, not offsets; each mention is located in the text (successive
/// occurrences for a repeated mention), so every written span matches the text exactly. A reply that is not a JSON array,
/// or that names a mention the text does not hold, is answered with the problem and asked again, up to
/// <see cref="LlmConceptAnnotatorOptions.MaxAttempts"/> requests. Finished sentences can be cached, so an interrupted run
/// resumes without paying twice; progress reports count sentences, retries, failures and the client's token usage.
/// </summary>
public sealed class LlmConceptAnnotator
{
    private readonly IChatClient _client;
    private readonly LlmConceptAnnotatorOptions _options;

    /// <summary>Creates the annotator.</summary>
    /// <param name="client">Any chat client (a hosted model, a local one, or a test double).</param>
    /// <param name="options">Options; null for the defaults.</param>
    public LlmConceptAnnotator(IChatClient client, LlmConceptAnnotatorOptions? options = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = (options ?? new LlmConceptAnnotatorOptions()).Validate();
    }

    /// <summary>Annotates <paramref name="sentences"/> in order and writes one JSONL line per annotated sentence to <paramref name="output"/> as each finishes.</summary>
    /// <param name="sentences">Raw sentences; blank ones are skipped (and counted as done).</param>
    /// <param name="output">Where the JSONL goes (flushed after every line).</param>
    /// <param name="progress">Optional reports after every sentence.</param>
    /// <param name="cancellationToken">Stops between requests; what was written (and cached) stays.</param>
    /// <returns>The run's counts.</returns>
    public async Task<ConceptAnnotationProgress> AnnotateAsync(IEnumerable<string> sentences, TextWriter output, IProgress<ConceptAnnotationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(output);
        var all = sentences.ToList();
        var cache = ReadCache();
        int done = 0, fromCache = 0, failed = 0, mentions = 0, rejected = 0, retries = 0;
        long input = 0, outputTokens = 0;
        foreach (var sentence in all)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!string.IsNullOrWhiteSpace(sentence))
            {
                string key = CacheKey(sentence);
                ConceptAnnotatedSentence? annotated;
                if (cache.TryGetValue(key, out var line))
                {
                    annotated = ConceptJsonl.Parse(line, _options.CachePath ?? "<cache>").Single();
                    fromCache++;
                }
                else
                {
                    var one = await AnnotateOneAsync(sentence, cancellationToken).ConfigureAwait(false);
                    annotated = one.Sentence;
                    rejected += one.RejectedMentions;
                    retries += one.Attempts - 1;
                    input += one.InputTokens;
                    outputTokens += one.OutputTokens;
                    if (annotated is not null && _options.CachePath is { } cachePath)
                        await File.AppendAllTextAsync(cachePath, JsonSerializer.Serialize(new CacheEntry(key, ConceptJsonl.ToJsonLine(annotated))) + "\n", cancellationToken).ConfigureAwait(false);
                }
                if (annotated is null) failed++;
                else
                {
                    mentions += annotated.Entities.Count;
                    await output.WriteLineAsync(ConceptJsonl.ToJsonLine(annotated)).ConfigureAwait(false);
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            done++;
            progress?.Report(new ConceptAnnotationProgress(done, all.Count, fromCache, failed, mentions, rejected, retries, input, outputTokens));
        }
        return new ConceptAnnotationProgress(done, all.Count, fromCache, failed, mentions, rejected, retries, input, outputTokens);
    }

    /// <summary>What annotating one sentence gave.</summary>
    /// <param name="Sentence">The annotated sentence, or null when no attempt gave a readable reply.</param>
    /// <param name="Attempts">Requests made.</param>
    /// <param name="RejectedMentions">Mentions of the last reply dropped because the text does not hold them or they had no concept.</param>
    /// <param name="InputTokens">Input tokens reported by the client.</param>
    /// <param name="OutputTokens">Output tokens reported by the client.</param>
    public sealed record Annotation(ConceptAnnotatedSentence? Sentence, int Attempts, int RejectedMentions, long InputTokens, long OutputTokens);

    /// <summary>Annotates one sentence (no cache), retrying with the problems named while attempts remain.</summary>
    /// <param name="sentence">The raw sentence.</param>
    /// <param name="cancellationToken">Stops between requests.</param>
    public async Task<Annotation> AnnotateOneAsync(string sentence, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sentence);
        var messages = new List<ChatMessage> { new(ChatRole.System, _options.Instruction), new(ChatRole.User, sentence) };
        long input = 0, output = 0;
        LocatedMentions? last = null;
        for (int attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var response = await _client.GetResponseAsync(messages, _options.ChatOptions, cancellationToken).ConfigureAwait(false);
            input += response.Usage?.InputTokenCount ?? 0;
            output += response.Usage?.OutputTokenCount ?? 0;
            string reply = response.Text ?? "";
            var located = Locate(sentence, reply);
            if (located.Problems.Count == 0 || attempt == _options.MaxAttempts)
            {
                last = located;
                if (located.Spans is null) return new Annotation(null, attempt, 0, input, output);
                return new Annotation(new ConceptAnnotatedSentence(sentence, located.Spans), attempt, located.Problems.Count, input, output);
            }
            // Ask again, saying what was wrong, in the same conversation.
            messages.Add(new ChatMessage(ChatRole.Assistant, reply));
            messages.Add(new ChatMessage(ChatRole.User, "Your answer has problems: " + string.Join(" ", located.Problems) +
                " Answer again for the same text with the corrected JSON array only; copy every mention exactly as written in the text."));
        }
        return new Annotation(null, _options.MaxAttempts, last?.Problems.Count ?? 0, input, output);
    }

    /// <summary>The spans of a reply's mentions (null when the reply is not a JSON array of objects) and its problems, one sentence each.</summary>
    internal sealed record LocatedMentions(List<ConceptSpan>? Spans, List<string> Problems);

    /// <summary>Parses a reply and finds each mention in the text: a repeated mention takes the next occurrence after the previous one.</summary>
    internal static LocatedMentions Locate(string text, string reply)
    {
        var problems = new List<string>();
        int open = reply.IndexOf('['), close = reply.LastIndexOf(']');
        if (open < 0 || close < open)
            return new LocatedMentions(null, ["The answer holds no JSON array."]);
        JsonElement array;
        try { array = JsonDocument.Parse(reply[open..(close + 1)]).RootElement; }
        catch (JsonException e) { return new LocatedMentions(null, [$"The JSON array does not parse ({e.Message})."]); }
        var spans = new List<ConceptSpan>();
        var nextSearch = new Dictionary<string, int>(StringComparer.Ordinal);
        int index = 0;
        foreach (var item in array.EnumerateArray())
        {
            index++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"Item {index} is not an object.");
                continue;
            }
            string? mention = String(item, "mention"), concept = String(item, "concept"), description = String(item, "description");
            if (string.IsNullOrWhiteSpace(mention) || string.IsNullOrWhiteSpace(concept))
            {
                problems.Add($"Item {index} lacks a mention or a concept.");
                continue;
            }
            int from = nextSearch.GetValueOrDefault(mention);
            int start = text.IndexOf(mention, from, StringComparison.Ordinal);
            if (start < 0 && from > 0) start = text.IndexOf(mention, StringComparison.Ordinal); // the model listed one occurrence twice
            if (start < 0)
            {
                problems.Add($"The mention \"{mention}\" does not occur in the text.");
                continue;
            }
            nextSearch[mention] = start + mention.Length;
            spans.Add(new ConceptSpan(start, start + mention.Length, concept.Trim(), string.IsNullOrWhiteSpace(description) ? null : description.Trim()));
        }
        return new LocatedMentions(spans, problems);
    }

    private static string? String(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed record CacheEntry(string Key, string Line);

    /// <summary>The cache key: the instruction, the model and the text, hashed (a changed prompt or model does not reuse old answers).</summary>
    private string CacheKey(string sentence) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{_options.Instruction}\u0000{_options.ChatOptions?.ModelId}\u0000{sentence}")));

    private Dictionary<string, string> ReadCache()
    {
        var cache = new Dictionary<string, string>(StringComparer.Ordinal);
        if (_options.CachePath is not { } path || !File.Exists(path)) return cache;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            // A line cut short by a crash is skipped: that sentence is simply asked again.
            try
            {
                if (JsonSerializer.Deserialize<CacheEntry>(line) is { Key: { } key, Line: { } json }) cache[key] = json;
            }
            catch (JsonException) { }
        }
        return cache;
    }
}
