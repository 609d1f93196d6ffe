namespace Megalodon.ML.Ner;

/// <summary>A concept-annotated corpus built by <see cref="ConceptCorpusBuilder"/>, with counts that say what went in.</summary>
public sealed class ConceptCorpus
{
    internal ConceptCorpus(
        IReadOnlyList<ConceptAnnotatedSentence> sentences,
        string heldOutDomain,
        IReadOnlyDictionary<string, int> sentencesBySource,
        IReadOnlyDictionary<string, int> mentionsByConcept,
        int droppedDuplicates,
        int droppedAsHeldOut,
        int droppedWithoutEntities,
        IReadOnlyDictionary<string, int> excludedMentionsByConcept)
    {
        ExcludedMentionsByConcept = excludedMentionsByConcept;
        Sentences = sentences;
        HeldOutDomain = heldOutDomain;
        SentencesBySource = sentencesBySource;
        MentionsByConcept = mentionsByConcept;
        DroppedDuplicates = droppedDuplicates;
        DroppedAsHeldOut = droppedAsHeldOut;
        DroppedWithoutEntities = droppedWithoutEntities;
    }

    /// <summary>The annotated sentences, source by source in the order read.</summary>
    public IReadOnlyList<ConceptAnnotatedSentence> Sentences { get; }

    /// <summary>The CrossNER domain kept out (empty when only <see cref="ConceptCorpusOptions.HeldOutFiles"/> were).</summary>
    public string HeldOutDomain { get; }

    /// <summary>Sentences kept per source file (keys like <c>crossner/ai/train.txt</c> and <c>wnut17/wnut17train.conll</c>).</summary>
    public IReadOnlyDictionary<string, int> SentencesBySource { get; }

    /// <summary>Annotated mentions per concept name, in ordinal order.</summary>
    public IReadOnlyDictionary<string, int> MentionsByConcept { get; }

    /// <summary>Mentions removed because their concept is one of <see cref="ConceptCorpusOptions.ExcludedConcepts"/>, per concept name as found.</summary>
    public IReadOnlyDictionary<string, int> ExcludedMentionsByConcept { get; }

    /// <summary>Sentences dropped because an earlier one had the same text.</summary>
    public int DroppedDuplicates { get; }

    /// <summary>Sentences dropped because the held-out domain contains the same text (so nothing of it leaks into pretraining).</summary>
    public int DroppedAsHeldOut { get; }

    /// <summary>Sentences dropped for having no entity (when <see cref="ConceptCorpusOptions.IncludeSentencesWithoutEntities"/> is off).</summary>
    public int DroppedWithoutEntities { get; }
}
