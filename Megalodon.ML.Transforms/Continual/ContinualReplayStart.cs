namespace Megalodon.ML.Transforms.Continual;

/// <summary>Where replay starts in the base model's data order.</summary>
public enum ContinualReplayStart
{
    /// <summary>Continue the base run's window order after its last window (epochs roll over as in the base run).</summary>
    ContinueAfterBase,

    /// <summary>Replay the windows the base run read, from its first, in its order, wrapping around to the first again.</summary>
    FromBaseStart,
}
