using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Training;

/// <summary>Next-token cross-entropy for causal language models, with the reference's ignore index for padding.</summary>
public static class LanguageModelLoss
{
    /// <summary>The target id excluded from the loss (the reference's and PyTorch's default).</summary>
    public const long IgnoreIndex = -100;

    /// <summary>
    /// Splits <c>(B, L + 1)</c> windows into inputs <c>(B, L)</c> and next-token targets <c>(B, L)</c>. Targets that are
    /// negative or equal to <paramref name="paddingTokenId"/> become <see cref="IgnoreIndex"/>; negative inputs become 0.
    /// </summary>
    /// <param name="windows">Int64 token windows.</param>
    /// <param name="paddingTokenId">A padding id to ignore as a target.</param>
    public static (Tensor Inputs, Tensor Targets) SplitWindows(Tensor windows, int? paddingTokenId = null)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.dim() != 2 || windows.shape[1] < 2)
            throw new ArgumentException($"Expected (B, L+1) windows with L ≥ 1, got [{string.Join(", ", windows.shape)}].", nameof(windows));
        var length = windows.shape[1] - 1;
        var inputs = windows.narrow(1, 0, length).clamp_min(0);
        var targets = windows.narrow(1, 1, length);
        var ignore = targets.lt(0);
        if (paddingTokenId is { } pad)
            ignore = ignore.logical_or(targets.eq(pad));
        targets = targets.masked_fill(ignore, IgnoreIndex);
        return (inputs, targets);
    }

    /// <summary>Summed cross-entropy over all non-ignored targets (a float scalar).</summary>
    /// <param name="logits">(B, L, V) logits.</param>
    /// <param name="targets">(B, L) int64 targets.</param>
    public static Tensor SummedCrossEntropy(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        var vocab = logits.shape[^1];
        return nn.functional.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1),
            ignore_index: IgnoreIndex, reduction: nn.Reduction.Sum);
    }

    /// <summary>Mean cross-entropy over all non-ignored targets (a float scalar; NaN when every target is ignored).</summary>
    /// <param name="logits">(B, L, V) logits.</param>
    /// <param name="targets">(B, L) int64 targets.</param>
    public static Tensor MeanCrossEntropy(Tensor logits, Tensor targets)
    {
        var vocab = logits.shape[^1];
        return nn.functional.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1),
            ignore_index: IgnoreIndex, reduction: nn.Reduction.Mean);
    }

    /// <summary>The number of targets that count (not <see cref="IgnoreIndex"/>).</summary>
    /// <param name="targets">Targets from <see cref="SplitWindows"/>.</param>
    public static long CountTargets(Tensor targets)
    {
        using var mask = targets.ne(IgnoreIndex);
        using var sum = mask.sum();
        return sum.item<long>();
    }
}
