namespace Megalodon.ML.Tokenization;

/// <summary>
/// Packs tokenised documents into fixed-length sequences for language-model training: documents are concatenated in
/// the order given, with one end-of-text id <em>between</em> consecutive documents (none before the first or after the
/// last), and the stream is cut every <see cref="SequenceLength"/> tokens. A long document simply continues in the next
/// sequence. Deterministic: the same documents in the same order give the same sequences.
/// </summary>
/// <remarks>
/// No token is ever dropped. Tokens that do not yet fill a sequence stay pending; <see cref="TakeRemainder"/> hands
/// them over as a shorter array (the caller decides whether to pad and mask, carry them over, or drop them knowingly),
/// and packing can go on afterwards. So for every packer,
/// <c>emitted tokens + pending = document tokens + separators</c>, with separators = documents − 1.
/// For next-token training with inputs and shifted targets, ask for sequences of the context length plus one.
/// </remarks>
public sealed class DocumentPacker
{
    private readonly int[] _pending;
    private int _pendingCount;

    /// <summary>Creates a packer.</summary>
    /// <param name="sequenceLength">Tokens per packed sequence (positive).</param>
    /// <param name="endOfTextId">The separator id (non-negative), e.g. <see cref="ModelTokenizer.EndOfTextId"/>.</param>
    public DocumentPacker(int sequenceLength, int endOfTextId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        ArgumentOutOfRangeException.ThrowIfNegative(endOfTextId);
        SequenceLength = sequenceLength;
        EndOfTextId = endOfTextId;
        _pending = new int[sequenceLength];
    }

    /// <summary>Tokens per packed sequence.</summary>
    public int SequenceLength { get; }

    /// <summary>The separator id placed between documents.</summary>
    public int EndOfTextId { get; }

    /// <summary>Documents added so far.</summary>
    public long DocumentCount { get; private set; }

    /// <summary>Document tokens added so far (separators not included).</summary>
    public long DocumentTokenCount { get; private set; }

    /// <summary>Separators inserted so far: <see cref="DocumentCount"/> − 1, or 0.</summary>
    public long SeparatorCount => Math.Max(DocumentCount - 1, 0);

    /// <summary>Full sequences handed out so far.</summary>
    public long SequenceCount { get; private set; }

    /// <summary>Tokens waiting for a sequence to fill (always less than <see cref="SequenceLength"/>).</summary>
    public int PendingCount => _pendingCount;

    /// <summary>Appends a document (after a separator, unless it is the first) and returns the sequences it completed.</summary>
    /// <param name="document">The document's token ids; must not be empty.</param>
    /// <returns>The full sequences completed by this document, oldest first; often none.</returns>
    /// <exception cref="ArgumentException">The document is empty (it would add a bare separator).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The document holds a negative id.</exception>
    public IReadOnlyList<int[]> Add(IReadOnlyList<int> document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Count == 0)
            throw new ArgumentException($"Document #{DocumentCount} is empty. Skip empty documents before packing; an empty one would only add a separator.", nameof(document));
        // Validate first, so a rejected document leaves the packer unchanged.
        for (int i = 0; i < document.Count; i++)
        {
            if (document[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(document), document[i], $"Document #{DocumentCount} holds a negative token id at position {i}.");
        }

        var completed = new List<int[]>();
        if (DocumentCount > 0)
            Push(EndOfTextId, completed);
        for (int i = 0; i < document.Count; i++)
            Push(document[i], completed);
        DocumentCount++;
        DocumentTokenCount += document.Count;
        return completed;
    }

    /// <summary>
    /// Returns the pending tokens (fewer than <see cref="SequenceLength"/>, possibly none) and clears them.
    /// Later documents keep being separated from earlier ones by the end-of-text id.
    /// </summary>
    public int[] TakeRemainder()
    {
        int[] remainder = _pending.AsSpan(0, _pendingCount).ToArray();
        _pendingCount = 0;
        return remainder;
    }

    /// <summary>Packs all <paramref name="documents"/> at once.</summary>
    /// <param name="documents">Token ids per document, none empty.</param>
    /// <param name="sequenceLength">Tokens per packed sequence.</param>
    /// <param name="endOfTextId">The separator id.</param>
    public static PackedDocuments Pack(IEnumerable<IReadOnlyList<int>> documents, int sequenceLength, int endOfTextId)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var packer = new DocumentPacker(sequenceLength, endOfTextId);
        var sequences = new List<int[]>();
        foreach (var document in documents)
            sequences.AddRange(packer.Add(document));
        return new PackedDocuments(sequences, packer.TakeRemainder(), packer.DocumentCount, packer.DocumentTokenCount);
    }

    private void Push(int token, List<int[]> completed)
    {
        _pending[_pendingCount++] = token;
        if (_pendingCount == SequenceLength)
        {
            completed.Add((int[])_pending.Clone());
            _pendingCount = 0;
            SequenceCount++;
        }
    }
}
