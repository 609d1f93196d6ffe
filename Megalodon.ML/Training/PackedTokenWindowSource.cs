using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Training;

/// <summary>
/// Cuts a packed token stream (documents concatenated with end-of-text separators, e.g. from a document packer) into
/// windows of <c>L + 1</c> tokens starting every <c>L</c> tokens, so every token but the first is a target exactly once
/// per epoch, and serves them in a seeded per-epoch random order (or in stream order).
/// </summary>
/// <remarks>
/// Window <c>w</c> covers tokens <c>[w·L, w·L + L + 1)</c>; a trailing remainder shorter than a window is not used.
/// Epoch <c>e</c>'s order is a Fisher–Yates shuffle driven by SplitMix64 seeded from <c>(PermutationSeed, e)</c>, so it
/// is identical across machines and .NET versions. <see cref="WindowIdAt"/> reproduces the order for replay.
/// </remarks>
public sealed class PackedTokenWindowSource : ITokenBatchSource
{
    private readonly ReadOnlyMemory<int> _tokens;
    private readonly bool _shuffle;
    private TokenSourcePosition _position;
    private long _cachedEpoch = -1;
    private ulong _cachedSeed;
    private int[]? _order;
    private string? _fingerprint;

    /// <summary>Creates the source.</summary>
    /// <param name="tokens">The packed token ids (not copied; must not change while the source is used).</param>
    /// <param name="sequenceLength">The model's sequence length <c>L</c>.</param>
    /// <param name="seed">Seed of the epoch permutations.</param>
    /// <param name="shuffle">False serves windows in stream order (validation sets).</param>
    /// <exception cref="ArgumentException">The stream is shorter than one window.</exception>
    public PackedTokenWindowSource(ReadOnlyMemory<int> tokens, int sequenceLength, ulong seed = 0, bool shuffle = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        var windows = (tokens.Length - 1L) / sequenceLength;
        if (windows < 1)
            throw new ArgumentException(
                $"The token stream ({tokens.Length} tokens) is shorter than one window of {sequenceLength + 1} tokens.", nameof(tokens));
        _tokens = tokens;
        SequenceLength = sequenceLength;
        WindowsPerEpoch = windows;
        _shuffle = shuffle;
        _position = TokenSourcePosition.Start(seed);
    }

    /// <summary>The sequence length <c>L</c>.</summary>
    public int SequenceLength { get; }

    /// <inheritdoc/>
    public int WindowLength => SequenceLength + 1;

    /// <inheritdoc/>
    public long WindowsPerEpoch { get; }

    /// <summary>Whether epochs are shuffled.</summary>
    public bool Shuffles => _shuffle;

    /// <inheritdoc/>
    public TokenSourcePosition Position => _position;

    /// <inheritdoc/>
    public void Seek(TokenSourcePosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (position.Epoch < 0 || position.Index < 0 || position.Index >= WindowsPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(position), position,
                $"The position does not fit a source of {WindowsPerEpoch} windows per epoch.");
        _position = position;
    }

    /// <summary>The first stream offset of window <paramref name="windowId"/>.</summary>
    /// <param name="windowId">A window id in [0, <see cref="WindowsPerEpoch"/>).</param>
    public long WindowStart(long windowId) => windowId * SequenceLength;

    /// <summary>The id of the window served at <paramref name="index"/> of epoch <paramref name="epoch"/> under <paramref name="seed"/>.</summary>
    /// <param name="epoch">The epoch.</param>
    /// <param name="index">The index within the epoch.</param>
    /// <param name="seed">The permutation seed (that of <see cref="Position"/> by default).</param>
    public long WindowIdAt(long epoch, long index, ulong? seed = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (index < 0 || index >= WindowsPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Index must be below {WindowsPerEpoch}.");
        return _shuffle ? Order(epoch, seed ?? _position.PermutationSeed)[index] : index;
    }

    /// <inheritdoc/>
    public Tensor NextBatch(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var width = WindowLength;
        var data = new long[(long)batchSize * width];
        var span = _tokens.Span;
        var (epoch, index, seed) = _position;
        for (var b = 0; b < batchSize; b++)
        {
            var start = checked((int)WindowStart(WindowIdAt(epoch, index, seed)));
            var row = data.AsSpan(b * width, width);
            for (var j = 0; j < width; j++)
                row[j] = span[start + j];
            if (++index == WindowsPerEpoch)
            {
                index = 0;
                epoch++;
            }
        }
        _position = new TokenSourcePosition(epoch, index, seed);
        return torch.tensor(data, new long[] { batchSize, width }, dtype: ScalarType.Int64);
    }

    /// <summary>The SHA-256 fingerprint of the token stream (computed once).</summary>
    public string Fingerprint => _fingerprint ??= TrainingDataRecord.FingerprintOf(_tokens.Span);

    /// <inheritdoc/>
    public TrainingDataRecord? DescribeServed(TokenSourcePosition start)
    {
        ArgumentNullException.ThrowIfNull(start);
        return new TrainingDataRecord(_tokens.Length, Fingerprint, SequenceLength, _shuffle, WindowsPerEpoch, start, _position);
    }

    private int[] Order(long epoch, ulong seed)
    {
        if (_order is not null && _cachedEpoch == epoch && _cachedSeed == seed)
            return _order;
        if (WindowsPerEpoch > Array.MaxLength)
            throw new NotSupportedException($"{WindowsPerEpoch} windows per epoch is more than one shuffle table can hold.");
        var n = (int)WindowsPerEpoch;
        var order = _order is { Length: var len } && len == n ? _order : new int[n];
        for (var i = 0; i < n; i++)
            order[i] = i;
        var rng = new DeterministicRandom(DeterministicRandom.Mix(seed, (ulong)epoch));
        for (var i = n - 1; i > 0; i--)
        {
            var j = (int)rng.NextInt64(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        _order = order;
        _cachedEpoch = epoch;
        _cachedSeed = seed;
        return order;
    }
}
