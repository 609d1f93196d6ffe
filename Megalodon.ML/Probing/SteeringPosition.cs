namespace Megalodon.ML.Probing;

/// <summary>Where a steering vector is added to a layer's output.</summary>
public enum SteeringPosition
{
    /// <summary>At the last position of each call only, as the paper's hook does: with streaming generation that is the last prompt token and then every generated token.</summary>
    Last = 0,

    /// <summary>At every position.</summary>
    Every = 1,
}
