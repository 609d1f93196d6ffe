namespace Megalodon.ML.Transforms.Continual;

/// <summary>Which windows of the earlier data a continual run replays.</summary>
public enum ContinualReplayStart
{
    /// <summary>
    /// Seen-data replay, the paper's method (the default): the windows the base run read, from its first, in its
    /// recorded order, wrapping around to the first again once all of them were replayed.
    /// </summary>
    FromBaseStart,

    /// <summary>
    /// Fresh earlier data: the base run's window order continued after its last window (epochs roll over as in the
    /// base run), so the replayed windows are ones the base model has not seen while its epoch lasts.
    /// </summary>
    ContinueAfterBase,
}
