namespace Megalodon.ML.Ner;

/// <summary>The part of a BIO label before the dash: outside any entity, beginning one, or inside one.</summary>
public enum BioPrefix
{
    /// <summary><c>O</c>: the word belongs to no entity.</summary>
    Outside,

    /// <summary><c>B-</c>: the word starts an entity.</summary>
    Begin,

    /// <summary><c>I-</c>: the word continues an entity.</summary>
    Inside,
}
