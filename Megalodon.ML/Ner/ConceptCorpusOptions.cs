namespace Megalodon.ML.Ner;

/// <summary>What <see cref="ConceptCorpusBuilder"/> reads: which CrossNER domains, which one to keep out, and WNUT-17's training file.</summary>
public sealed class ConceptCorpusOptions
{
    /// <summary>The CrossNER folder, holding one sub-folder per domain (<c>ai</c>, <c>literature</c>, <c>music</c>, ...).</summary>
    public string CrossNerFolder { get; set; } = string.Empty;

    /// <summary>The domains whose annotations become concepts; empty for every domain folder except <see cref="HeldOutDomain"/>.</summary>
    public IReadOnlyList<string> Domains { get; set; } = [];

    /// <summary>
    /// The domain kept out of the corpus entirely (the few-shot and zero-shot target). Required unless
    /// <see cref="HeldOutFiles"/> names the held-out data instead.
    /// </summary>
    public string HeldOutDomain { get; set; } = string.Empty;

    /// <summary>The split files read in every included domain.</summary>
    public IReadOnlyList<string> CrossNerSplits { get; set; } = ["train.txt", "dev.txt", "test.txt"];

    /// <summary>WNUT-17's training file (<c>wnut17train.conll</c>); null to leave WNUT-17 out.</summary>
    public string? WnutTrainFile { get; set; }

    /// <summary>Further CoNLL files whose annotations become concepts (for example WNUT-17's dev and test files when WNUT-17 is not evaluated).</summary>
    public IReadOnlyList<string> ConllFiles { get; set; } = [];

    /// <summary>CoNLL files of held-out data besides <see cref="HeldOutDomain"/>: no sentence with the text of one of theirs enters the corpus.</summary>
    public IReadOnlyList<string> HeldOutFiles { get; set; } = [];

    /// <summary>
    /// Concept names whose mentions are removed (compared trimmed and lower case), typically
    /// <see cref="ConceptSynonyms.Of"/> of the held-out data's types: the words stay in the text, unannotated, and the
    /// removed mentions are counted in <see cref="ConceptCorpus.ExcludedMentionsByConcept"/>.
    /// </summary>
    public IReadOnlyCollection<string> ExcludedConcepts { get; set; } = [];

    /// <summary>Keep sentences without any entity: they give the contrastive loss negatives only.</summary>
    public bool IncludeSentencesWithoutEntities { get; set; } = true;

    /// <summary>Keep only the first of sentences with the same text (WNUT-17's training file repeats about a hundred tweets).</summary>
    public bool RemoveDuplicateTexts { get; set; } = true;

    /// <summary>Maps an entity type to its concept name; null for <see cref="ConceptNames.Readable(string)"/>.</summary>
    public Func<string, string>? ConceptName { get; set; }
}
