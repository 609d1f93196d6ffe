using Megalodon.ML.Ner;

namespace Megalodon.ML.Encoder;

/// <summary>
/// Reads a tagger's class predictions as BIO labels, the one way the ML.NET transformer, the command line and the
/// benchmarks do it: windowed prediction over whole sentences, then the most likely valid BIO sequence
/// (<see cref="TagDecoding"/>).
/// </summary>
public static class TaggerLabels
{
    /// <summary>The label of every word, BIO-repaired; a repaired label missing from <paramref name="labelNames"/> keeps the raw prediction.</summary>
    /// <param name="classes">One class index per word.</param>
    /// <param name="labelNames">The label of each class index.</param>
    public static string[] FromClasses(IReadOnlyList<int> classes, IReadOnlyList<string> labelNames)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(labelNames);
        var raw = classes.Select(c => labelNames[c]).ToArray();
        var repaired = BioTags.Repair(raw);
        return repaired.Select((l, i) => labelNames.Contains(l) ? l : raw[i]).ToArray();
    }

    /// <summary>Tags sentences of any length (<see cref="WordWindows.LogProbabilities"/>) and returns valid BIO labels.</summary>
    /// <param name="classifier">The tagger.</param>
    /// <param name="sentences">Each sentence's words.</param>
    /// <param name="labelNames">The label of each class index.</param>
    /// <param name="maxTokens">The encoder's token limit per window.</param>
    /// <param name="batchSize">Windows per forward pass.</param>
    /// <param name="decoding">How scores become labels (the most likely valid sequence unless told).</param>
    public static string[][] Predict(TokenClassifier classifier, IReadOnlyList<IReadOnlyList<string>> sentences, IReadOnlyList<string> labelNames,
        int maxTokens, int batchSize = 32, TagDecoding decoding = TagDecoding.ValidSequence)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(labelNames);
        if (labelNames.Count != classifier.ClassCount)
            throw new ArgumentException($"The classifier has {classifier.ClassCount} classes but {labelNames.Count} label names were given.", nameof(labelNames));
        var scores = WordWindows.LogProbabilities(classifier, sentences, maxTokens, batchSize);
        if (decoding == TagDecoding.BestLabelThenRepair)
            return scores.Select(words => FromClasses(words.Select(TokenClassifier.ArgMax).ToArray(), labelNames)).ToArray();
        var viterbi = new BioViterbi(labelNames);
        return scores.Select(words => viterbi.Decode(words).Select(c => labelNames[c]).ToArray()).ToArray();
    }

    /// <summary>Entity-level metrics of the tagger on gold sentences (the scorer of <see cref="NerEvaluator"/>).</summary>
    /// <param name="classifier">The tagger.</param>
    /// <param name="gold">The gold sentences.</param>
    /// <param name="labelNames">The label of each class index.</param>
    /// <param name="maxTokens">The encoder's token limit per window.</param>
    /// <param name="batchSize">Windows per forward pass.</param>
    /// <param name="decoding">How scores become labels (the most likely valid sequence unless told).</param>
    public static NerMetrics Evaluate(TokenClassifier classifier, IReadOnlyList<NerSentence> gold, IReadOnlyList<string> labelNames, int maxTokens, int batchSize = 32,
        TagDecoding decoding = TagDecoding.ValidSequence)
    {
        ArgumentNullException.ThrowIfNull(gold);
        var predicted = Predict(classifier, gold.Select(s => s.Words).ToList(), labelNames, maxTokens, batchSize, decoding);
        return NerEvaluator.Evaluate(gold, predicted);
    }
}
