using Microsoft.Extensions.AI;

namespace Megalodon.ML.Ner;

/// <summary>Options of <see cref="LlmConceptAnnotator"/>.</summary>
public sealed record LlmConceptAnnotatorOptions
{
    /// <summary>
    /// The instruction sent as the system message. The default asks, as NuNER's data step does, for every entity mention with
    /// a free-form concept name, as a JSON array of <c>{"mention", "concept", "description"}</c> objects.
    /// </summary>
    public string Instruction { get; init; } = DefaultInstruction;

    /// <summary>The default <see cref="Instruction"/>.</summary>
    public const string DefaultInstruction =
        "You annotate text for named-entity recognition. Find every entity mention in the user's text (people, places, organisations, " +
        "works, products, events, technologies, concepts: anything a reader would look up) and name its type with a short, free-form " +
        "concept name in lower case, as specific as the text supports (for example \"jazz musician\", \"river\", \"programming language\"). " +
        "Copy each mention exactly as it is written in the text. Answer with a JSON array only, one object per mention in text order: " +
        "[{\"mention\": \"...\", \"concept\": \"...\", \"description\": \"a few words\"}]. Answer [] when there is none.";

    /// <summary>Chat options passed with every request (model id, temperature, ...); null for the client's defaults.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Requests per sentence before giving up: the first one and the retries after an unreadable reply or a mention that is not in the text.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>A JSONL cache of finished sentences (keyed by instruction, model and text), appended as each finishes; a rerun reuses it. Null for none.</summary>
    public string? CachePath { get; init; }

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentException">An empty instruction or fewer than one attempt.</exception>
    public LlmConceptAnnotatorOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(Instruction)) throw new ArgumentException("The instruction is empty.", nameof(Instruction));
        if (MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "At least one attempt per sentence.");
        return this;
    }
}
