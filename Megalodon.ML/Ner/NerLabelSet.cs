namespace Megalodon.ML.Ner;

/// <summary>
/// An ordered set of BIO labels: <c>O</c> first, then <c>B-type</c> and <c>I-type</c> for each entity type in ordinal order.
/// </summary>
/// <remarks>
/// The order fixes the label ids a model trains on (index 0 is <c>O</c>) and the ML.NET key values (key = index + 1, since
/// key 0 means missing). Build it once from the training data, or from the known types, and reuse it for every split so the
/// ids agree. Both prefixes of every type are present even if the data never uses one of them.
/// </remarks>
public sealed class NerLabelSet
{
    private readonly string[] _labels;
    private readonly string[] _types;
    private readonly Dictionary<string, int> _index;

    private NerLabelSet(IEnumerable<string> types)
    {
        _types = types.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        _labels = new string[1 + 2 * _types.Length];
        _labels[0] = BioTag.OutsideLabel;
        for (int t = 0; t < _types.Length; t++)
        {
            if (string.IsNullOrWhiteSpace(_types[t]) || _types[t].Any(char.IsWhiteSpace))
                throw new ArgumentException($"The entity type '{_types[t]}' is empty or contains whitespace.", nameof(types));
            _labels[1 + 2 * t] = "B-" + _types[t];
            _labels[2 + 2 * t] = "I-" + _types[t];
        }
        _index = new Dictionary<string, int>(_labels.Length, StringComparer.Ordinal);
        for (int i = 0; i < _labels.Length; i++)
            _index[_labels[i]] = i;
    }

    /// <summary>The labels in id order; <c>Labels[0]</c> is <c>O</c>.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>The entity types in ordinal order.</summary>
    public IReadOnlyList<string> Types => _types;

    /// <summary>Number of labels: 1 + 2 × number of types.</summary>
    public int Count => _labels.Length;

    /// <summary>A label set for the given entity types.</summary>
    /// <param name="types">Entity types (duplicates are merged).</param>
    /// <exception cref="ArgumentException">A type is empty or contains whitespace.</exception>
    public static NerLabelSet FromTypes(IEnumerable<string> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        return new NerLabelSet(types);
    }

    /// <summary>A label set covering every type used in <paramref name="sentences"/>.</summary>
    /// <param name="sentences">Labelled sentences.</param>
    public static NerLabelSet FromSentences(IEnumerable<NerSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sentence in sentences)
        {
            foreach (string label in sentence.Labels)
            {
                var tag = BioTag.Parse(label);
                if (tag.IsEntity)
                    types.Add(tag.Type);
            }
        }
        return new NerLabelSet(types);
    }

    /// <summary>The id (0-based index into <see cref="Labels"/>) of a label.</summary>
    /// <param name="label">A label of this set.</param>
    /// <exception cref="ArgumentException">The label is not in the set; the message lists the set.</exception>
    public int IndexOf(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (_index.TryGetValue(label, out int index))
            return index;
        throw new ArgumentException($"The label '{label}' is not in the label set [{string.Join(", ", _labels)}].", nameof(label));
    }

    /// <summary>Looks up a label's id without throwing.</summary>
    /// <param name="label">The label.</param>
    /// <param name="index">Its id, or -1.</param>
    public bool TryGetIndex(string label, out int index)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (_index.TryGetValue(label, out index))
            return true;
        index = -1;
        return false;
    }

    /// <summary>Whether the label is in the set.</summary>
    /// <param name="label">The label.</param>
    public bool Contains(string label) => _index.ContainsKey(label);

    /// <summary>The ids of a sentence's labels.</summary>
    /// <param name="sentence">A sentence whose labels all belong to this set.</param>
    /// <exception cref="ArgumentException">A label is not in the set.</exception>
    public int[] Encode(NerSentence sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var ids = new int[sentence.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            if (!_index.TryGetValue(sentence.Labels[i], out ids[i]))
                throw new ArgumentException($"Word {i} ('{sentence.Words[i]}') has the label '{sentence.Labels[i]}', which is not in the label set [{string.Join(", ", _labels)}].", nameof(sentence));
        }
        return ids;
    }

    /// <summary>The labels of ids.</summary>
    /// <param name="ids">Label ids in [0, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the set.</exception>
    public string[] Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var labels = new string[ids.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)ids[i] >= (uint)_labels.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), ids[i], $"Label id {ids[i]} at position {i} is outside [0, {_labels.Length}).");
            labels[i] = _labels[ids[i]];
        }
        return labels;
    }
}
