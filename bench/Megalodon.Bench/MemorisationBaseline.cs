using Megalodon.ML.Ner;

namespace Megalodon.Bench;

/// <summary>
/// The memorisation baseline of the full-data NER benchmark: every word is tagged with the label it carries most often
/// in the training data (exact, case-sensitive form; unseen words are <c>O</c>), and the sequence is repaired to valid
/// BIO as seqeval reads it. It measures how much of a test set is recall of training mentions.
/// </summary>
internal sealed class MemorisationBaseline
{
    private readonly Dictionary<string, string> _label = new(StringComparer.Ordinal);

    /// <summary>Counts the labels of every word form of <paramref name="train"/>; ties go to the label seen first.</summary>
    public MemorisationBaseline(IEnumerable<NerSentence> train)
    {
        var counts = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var sentence in train)
            for (int i = 0; i < sentence.Count; i++)
            {
                var word = sentence.Words[i];
                if (!counts.TryGetValue(word, out var byLabel)) counts[word] = byLabel = new Dictionary<string, int>(StringComparer.Ordinal);
                order.TryAdd(sentence.Labels[i], order.Count);
                byLabel[sentence.Labels[i]] = byLabel.GetValueOrDefault(sentence.Labels[i]) + 1;
            }
        foreach (var (word, byLabel) in counts)
            _label[word] = byLabel.OrderByDescending(p => p.Value).ThenBy(p => order[p.Key]).First().Key;
    }

    /// <summary>The baseline's BIO-repaired labels of a sentence.</summary>
    public string[] Tag(IReadOnlyList<string> words) =>
        BioTags.Repair(words.Select(w => _label.GetValueOrDefault(w, BioTag.OutsideLabel)).ToArray());

    /// <summary>Entity metrics of the baseline on <paramref name="gold"/>, by the scorer every NER result here uses.</summary>
    public NerMetrics Evaluate(IReadOnlyList<NerSentence> gold) =>
        NerEvaluator.Evaluate(gold, gold.Select(s => (IReadOnlyList<string>)Tag(s.Words)).ToList());
}
