namespace Megalodon.ML.Checkpoints;

/// <summary>The checkpoint folder layouts a model can be exported to.</summary>
public enum CheckpointFormat
{
    /// <summary>
    /// This library's layout (<see cref="MegalodonCheckpoint"/>): <c>config.json</c>, <c>model.safetensors</c>,
    /// <c>checksums.json</c>, plus the tokenizer and, when known, the AdamW state and trainer state.
    /// </summary>
    Megalodon,

    /// <summary>
    /// What the reference's own loader reads (<see cref="ReferenceCheckpoint"/>): <c>consolidated.pth</c>, a nested
    /// <c>config.json</c>, <c>consolidate_config.json</c> and <c>tokenizer.model</c> for SentencePiece tokenizers.
    /// </summary>
    Reference,
}
