namespace Megalodon.Samples.Ner;

/// <summary>What the NER sample reads and how long it trains.</summary>
public sealed record NerSampleOptions
{
    /// <summary>Training CoNLL file; null for the built-in set.</summary>
    public string? TrainPath { get; init; }
    /// <summary>Dev CoNLL file (early stopping); null for the built-in set.</summary>
    public string? DevPath { get; init; }
    /// <summary>Test CoNLL file; null for the built-in set.</summary>
    public string? TestPath { get; init; }
    /// <summary>Masked-language-model pretraining steps.</summary>
    public int MlmSteps { get; init; } = 30;
    /// <summary>Most fine-tuning epochs (early stopping on dev entity F1 may end sooner).</summary>
    public int MaxEpochs { get; init; } = 6;
    /// <summary>Folder for the saved model and the encoder checkpoints; null for a fresh temporary folder.</summary>
    public string? OutputFolder { get; init; }
}
