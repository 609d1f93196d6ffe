using Megalodon.ML.Encoder;
using Megalodon.ML.Ner;

namespace Megalodon.Bench;

/// <summary>
/// The NER-BERT-style view of a concept corpus: whitespace words with one BIO label per word over the corpus's concepts
/// (class 0 is O; concept i has B at 1 + 2i and I at 2 + 2i). A word takes the first span (by start) that overlaps it.
/// </summary>
internal sealed class ConceptBioLabels
{
    private readonly Dictionary<string, int> _index;

    /// <summary>A label set over <paramref name="concepts"/> (normalised names).</summary>
    public ConceptBioLabels(IEnumerable<string> concepts)
    {
        Concepts = concepts.Select(ConceptEncoder.NormalizeName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        _index = Concepts.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>The concepts, in class order.</summary>
    public IReadOnlyList<string> Concepts { get; }

    /// <summary>Number of classes: O plus B and I per concept.</summary>
    public int ClassCount => 1 + 2 * Concepts.Count;

    /// <summary>The words of <paramref name="sentence"/> (split at whitespace) and their class indices.</summary>
    public (string[] Words, int[] Labels) Label(ConceptAnnotatedSentence sentence)
    {
        var words = new List<string>();
        var labels = new List<int>();
        var spans = sentence.Entities.OrderBy(e => e.Start).ThenByDescending(e => e.Length).ToList();
        ConceptSpan? previous = null;
        string text = sentence.Text;
        for (int i = 0; i < text.Length;)
        {
            if (char.IsWhiteSpace(text[i])) { i++; continue; }
            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            words.Add(text[start..i]);
            var span = spans.FirstOrDefault(s => s.Start < i && start < s.End);
            if (span is null) labels.Add(0);
            else
            {
                int concept = _index[ConceptEncoder.NormalizeName(span.Concept)];
                labels.Add(ReferenceEquals(span, previous) ? 2 + 2 * concept : 1 + 2 * concept);
            }
            previous = span;
        }
        return (words.ToArray(), labels.ToArray());
    }
}
