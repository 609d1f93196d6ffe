namespace Megalodon.ML.Encoder;

/// <summary>How a tagger's per-word class scores become BIO labels.</summary>
public enum TagDecoding
{
    /// <summary>The most likely valid BIO sequence (<see cref="Ner.BioViterbi"/>): the default.</summary>
    ValidSequence,

    /// <summary>Each word's most likely label, then repaired to valid BIO (a stray <c>I-X</c> starts an entity), as before issue 15.</summary>
    BestLabelThenRepair,
}
