using System.CommandLine;

namespace Megalodon.Cli.Commands.Ner;

/// <summary>
/// <c>megalodon ner pretrain | train | eval | tag</c>: NuNER encoder pretraining (MLM, then concept-contrastive), NER
/// fine-tuning into an ML.NET model, evaluation on a CoNLL file, and tagging (with a fine-tuned model, or zero-shot
/// from concept names).
/// </summary>
public sealed class NerCommand : Command
{
    /// <summary>The text encoder written by <c>ner pretrain</c>.</summary>
    public const string TextEncoderFile = "text-encoder.safetensors";

    /// <summary>The concept encoder written by <c>ner pretrain</c> when concepts are given.</summary>
    public const string ConceptEncoderFile = "concept-encoder.safetensors";

    /// <summary>Creates the verb and its sub-verbs.</summary>
    public NerCommand() : base("ner", "Named-entity recognition: NuNER pretraining, fine-tuning, evaluation and (zero-shot) tagging.")
    {
        Add(new NerPretrainCommand());
        Add(new NerTrainCommand());
        Add(new NerEvalCommand());
        Add(new NerTagCommand());
    }
}
