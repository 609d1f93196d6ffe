using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Training;

/// <summary>
/// Compute-equivalent replay: mixes windows of earlier data into the new data's batches so that a fixed fraction of
/// all windows served are replayed, while the total stays the same (the new-data budget shrinks by the replayed
/// amount). The replay source continues in its own order from where it is positioned (continual pretraining
/// positions it at the base run's first seen window by default, and wraps back there after the seen windows).
/// </summary>
/// <remarks>
/// <para>Window <c>k</c> of the mixed stream (0-based) is a replay window when <c>⌊(k+1)·f⌋ &gt; ⌊k·f⌋</c>
/// (Bresenham-style), so after <c>n</c> windows exactly <c>⌊n·f⌋</c> were replayed, whatever the batch size: 20 steps
/// of 4 windows at 5% replay 4 windows, at 25% 20 windows.</para>
/// <para><see cref="Position"/> counts mixed windows served (as epoch and index over the new source's epoch length,
/// with the new source's seed); both inner positions follow from it, so <see cref="Seek"/> restores a run exactly.</para>
/// </remarks>
public sealed class ReplayTokenBatchSource : ITokenBatchSource
{
    // Guards ⌊n·f⌋ against products such as 20 × 0.05 landing a hair below an integer.
    private const double FloorTolerance = 1e-9;

    private readonly ITokenBatchSource _new;
    private readonly ITokenBatchSource _replay;
    private readonly long _newStart;
    private readonly long _replayStart;
    private readonly ulong _newSeed;
    private readonly ulong _replaySeed;
    private long _served;

    /// <summary>Creates the mixture; both sources start from their current positions.</summary>
    /// <param name="newData">The new data (its epoch length and seed define <see cref="Position"/>).</param>
    /// <param name="replayData">The earlier data, positioned where replay starts.</param>
    /// <param name="replayFraction">Share of windows taken from <paramref name="replayData"/>, in [0, 1).</param>
    /// <param name="replayCycleWindows">When set, replay wraps back to its start after this many windows (replay only what was seen).</param>
    /// <exception cref="ArgumentException">The window lengths differ or the fraction is out of range.</exception>
    public ReplayTokenBatchSource(ITokenBatchSource newData, ITokenBatchSource replayData, double replayFraction, long? replayCycleWindows = null)
    {
        ArgumentNullException.ThrowIfNull(newData);
        ArgumentNullException.ThrowIfNull(replayData);
        if (!(replayFraction >= 0 && replayFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(replayFraction), replayFraction, "The replay fraction must be in [0, 1).");
        if (newData.WindowLength != replayData.WindowLength)
            throw new ArgumentException(
                $"The replay data serves windows of {replayData.WindowLength} tokens, the new data {newData.WindowLength}.", nameof(replayData));
        if (replayCycleWindows is { } cycle) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cycle, nameof(replayCycleWindows));
        _new = newData;
        _replay = replayData;
        ReplayFraction = replayFraction;
        ReplayCycleWindows = replayCycleWindows;
        _newStart = newData.Position.WindowsTaken(newData.WindowsPerEpoch);
        _replayStart = replayData.Position.WindowsTaken(replayData.WindowsPerEpoch);
        _newSeed = newData.Position.PermutationSeed;
        _replaySeed = replayData.Position.PermutationSeed;
    }

    /// <summary>Share of windows replayed.</summary>
    public double ReplayFraction { get; }

    /// <summary>Replay wraps back to its start after this many windows; null never wraps (epochs roll over as usual).</summary>
    public long? ReplayCycleWindows { get; }

    /// <summary>The new-data source (positioned after the new windows served so far).</summary>
    public ITokenBatchSource NewData => _new;

    /// <summary>The replay source (positioned after the replayed windows served so far).</summary>
    public ITokenBatchSource ReplayData => _replay;

    /// <summary>Mixed windows served since the start.</summary>
    public long WindowsServed => _served;

    /// <summary>Windows replayed since the start: <c>⌊WindowsServed · f⌋</c>.</summary>
    public long ReplayWindowsServed => ReplayedAfter(_served);

    /// <summary>New-data windows served since the start.</summary>
    public long NewWindowsServed => _served - ReplayWindowsServed;

    /// <summary>Replayed windows among the first <paramref name="windows"/> mixed windows.</summary>
    /// <param name="windows">Mixed windows served.</param>
    public long ReplayedAfter(long windows) => ReplayedAfter(windows, ReplayFraction);

    /// <summary>Replayed windows among the first <paramref name="windows"/> mixed windows at <paramref name="replayFraction"/>: ⌊windows · fraction⌋.</summary>
    /// <param name="windows">Mixed windows served.</param>
    /// <param name="replayFraction">Share of windows replayed.</param>
    public static long ReplayedAfter(long windows, double replayFraction) => (long)Math.Floor(windows * replayFraction + FloorTolerance);

    /// <inheritdoc/>
    public int WindowLength => _new.WindowLength;

    /// <inheritdoc/>
    public long WindowsPerEpoch => _new.WindowsPerEpoch;

    /// <inheritdoc/>
    public TokenSourcePosition Position => new(_served / WindowsPerEpoch, _served % WindowsPerEpoch, _newSeed);

    /// <inheritdoc/>
    public void Seek(TokenSourcePosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (position.Epoch < 0 || position.Index < 0 || position.Index >= WindowsPerEpoch || position.PermutationSeed != _newSeed)
            throw new ArgumentOutOfRangeException(nameof(position), position, "The position is not one of this replay mixture.");
        _served = position.WindowsTaken(WindowsPerEpoch);
        _new.Seek(At(_newStart + NewWindowsServed, _new.WindowsPerEpoch, _newSeed));
        _replay.Seek(At(_replayStart + ReplayOffset(ReplayWindowsServed), _replay.WindowsPerEpoch, _replaySeed));
    }

    /// <summary>Whether mixed window <paramref name="window"/> (0-based) is a replay window.</summary>
    /// <param name="window">The mixed window index.</param>
    public bool IsReplayWindow(long window) => ReplayedAfter(window + 1) > ReplayedAfter(window);

    /// <inheritdoc/>
    public Tensor NextBatch(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        using var scope = torch.NewDisposeScope();
        var rows = new Tensor[batchSize];
        // Consecutive windows from the same source are read together.
        var b = 0;
        while (b < batchSize)
        {
            var replay = IsReplayWindow(_served + b);
            var run = 1;
            while (b + run < batchSize && IsReplayWindow(_served + b + run) == replay) run++;
            var batch = replay ? NextReplay(run) : _new.NextBatch(run);
            for (var i = 0; i < run; i++) rows[b + i] = batch[i];
            b += run;
        }
        _served += batchSize;
        return torch.stack(rows).MoveToOuterDisposeScope();
    }

    /// <summary>The new data's record, translated from a mixed start position to the new source's.</summary>
    public TrainingDataRecord? DescribeServed(TokenSourcePosition start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var mixed = start.WindowsTaken(WindowsPerEpoch);
        var newStart = At(_newStart + mixed - ReplayedAfter(mixed), _new.WindowsPerEpoch, _newSeed);
        return _new.DescribeServed(newStart);
    }

    private Tensor NextReplay(int count)
    {
        if (ReplayCycleWindows is not { } cycle)
            return _replay.NextBatch(count);
        // Wrap back to the start of the seen windows whenever a cycle completes.
        var parts = new List<Tensor>();
        var taken = ReplayWindowsServedBeforeNext();
        while (count > 0)
        {
            var left = cycle - taken % cycle;
            var n = (int)Math.Min(count, left);
            parts.Add(_replay.NextBatch(n));
            taken += n;
            count -= n;
            if (taken % cycle == 0)
                _replay.Seek(At(_replayStart, _replay.WindowsPerEpoch, _replaySeed));
        }
        return parts.Count == 1 ? parts[0] : torch.cat(parts, 0);
    }

    // Replayed windows before the run now being read (the replay source's logical offset).
    private long ReplayWindowsServedBeforeNext() =>
        _replay.Position.WindowsTaken(_replay.WindowsPerEpoch) - _replayStart;

    private long ReplayOffset(long replayed) => ReplayCycleWindows is { } cycle ? replayed % cycle : replayed;

    private static TokenSourcePosition At(long windowsTaken, long windowsPerEpoch, ulong seed) =>
        new(windowsTaken / windowsPerEpoch, windowsTaken % windowsPerEpoch, seed);
}
