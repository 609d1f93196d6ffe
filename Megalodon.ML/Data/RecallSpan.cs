namespace Megalodon.ML.Data;

/// <summary>
/// Where a document's key is recalled: the characters of the key at a recall point, and where the key was last
/// mentioned before it. Only a model that carries information across at least <see cref="Distance"/> characters can
/// predict these characters better than chance.
/// </summary>
/// <param name="Start">Offset of the key's first character at the recall point.</param>
/// <param name="Length">Characters of the key.</param>
/// <param name="PreviousStart">Offset of the previous mention of the key (the introduction or the previous recall).</param>
/// <param name="PreviousEnd">Offset just past the previous mention.</param>
public readonly record struct RecallSpan(int Start, int Length, int PreviousStart, int PreviousEnd)
{
    /// <summary>Offset just past the recalled key.</summary>
    public int End => Start + Length;

    /// <summary>Characters between the end of the previous mention and the start of this one.</summary>
    public int Distance => Start - PreviousEnd;
}
