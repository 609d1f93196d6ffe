using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Training;

/// <summary>
/// A deterministic supply of token windows for language-model training: each window holds <c>L + 1</c> consecutive
/// tokens (inputs are the first <c>L</c>, targets the last <c>L</c>). The order is a pure function of the seed, and the
/// position can be saved and restored, so a resumed run sees exactly the windows an uninterrupted one would.
/// </summary>
public interface ITokenBatchSource
{
    /// <summary>Tokens per window, <c>L + 1</c>.</summary>
    int WindowLength { get; }

    /// <summary>Windows in one epoch.</summary>
    long WindowsPerEpoch { get; }

    /// <summary>The current position (what the next <see cref="NextBatch"/> starts from).</summary>
    TokenSourcePosition Position { get; }

    /// <summary>Moves to a saved position.</summary>
    /// <param name="position">A position from <see cref="Position"/> of a source over the same tokens.</param>
    /// <exception cref="ArgumentOutOfRangeException">The position does not fit this source.</exception>
    void Seek(TokenSourcePosition position);

    /// <summary>
    /// The next <paramref name="batchSize"/> windows as a <c>(batchSize, WindowLength)</c> int64 CPU tensor (owned by the
    /// caller), advancing the position; an epoch end rolls over into the next epoch's order.
    /// </summary>
    /// <param name="batchSize">Windows to take.</param>
    Tensor NextBatch(int batchSize);

    /// <summary>
    /// Describes the data served from <paramref name="start"/> up to the current position, for replay by a later run;
    /// null when the source cannot say (the default).
    /// </summary>
    /// <param name="start">A position of this source at which reading started.</param>
    TrainingDataRecord? DescribeServed(TokenSourcePosition start) => null;
}
