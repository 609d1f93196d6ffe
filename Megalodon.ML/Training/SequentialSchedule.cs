namespace Megalodon.ML.Training;

/// <summary>
/// Several schedules run one after another, each seeing its own step counter from 0. This expresses a run over several
/// continual-pre-training tasks in one step axis (for example repeated re-warm + re-decay, one cosine per task).
/// </summary>
/// <remarks>Every segment but the last has a length; the last one runs from its start onward without end.</remarks>
public sealed class SequentialSchedule : LearningRateSchedule
{
    private readonly LearningRateSchedule[] _schedules;
    private readonly long[] _starts;

    /// <summary>Creates the schedule.</summary>
    /// <param name="segments">Each schedule with its length in steps; the last length is ignored (the last segment never ends).</param>
    /// <exception cref="ArgumentException">No segments, or a non-positive length before the last segment.</exception>
    public SequentialSchedule(params (LearningRateSchedule Schedule, long Steps)[] segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        if (segments.Length == 0)
            throw new ArgumentException("At least one segment is needed.", nameof(segments));
        _schedules = new LearningRateSchedule[segments.Length];
        _starts = new long[segments.Length];
        long start = 0;
        for (var i = 0; i < segments.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(segments[i].Schedule);
            if (i < segments.Length - 1 && segments[i].Steps <= 0)
                throw new ArgumentException($"Segment {i} must have a positive length, got {segments[i].Steps}.", nameof(segments));
            _schedules[i] = segments[i].Schedule;
            _starts[i] = start;
            start = checked(start + segments[i].Steps);
        }
    }

    /// <summary>The first global step of each segment.</summary>
    public IReadOnlyList<long> SegmentStarts => _starts;

    /// <inheritdoc/>
    protected override double Evaluate(long step)
    {
        var i = _starts.Length - 1;
        while (i > 0 && step < _starts[i])
            i--;
        return _schedules[i].LearningRate(step - _starts[i]);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        "Sequential(" + string.Join("; ", _schedules.Select((s, i) => $"from {_starts[i]}: {s}")) + ")";
}
