namespace Megalodon.Bench;

/// <summary>What an arm of the issue-18 experiment does after the shared MLM stage.</summary>
internal enum NunerArmKind
{
    /// <summary>No pretraining at all: the randomly initialised encoder (control).</summary>
    Untrained,
    /// <summary>More MLM on the concept corpus's sentences.</summary>
    MlmOnly,
    /// <summary>Supervised softmax token classification over the corpus's concepts as BIO labels (NER-BERT-style).</summary>
    NerBert,
    /// <summary>Concept-contrastive pretraining.</summary>
    Concept,
}

/// <summary>One arm: its name in the tables, what it does, and for concept arms the loss's form.</summary>
/// <param name="Name">Name in the tables and file names.</param>
/// <param name="Kind">What the second stage does.</param>
/// <param name="Role">main (the criteria's arms), ablation (one change to the concept loss) or control.</param>
/// <param name="LearnedScoreScale">Concept arms: the learned scale and bias of <c>ConceptEncoder.Score</c> instead of the paper's plain dot product.</param>
/// <param name="PositiveWeight">Concept arms: weight of the positive pairs (1: the paper's plain mean).</param>
internal sealed record NunerArm(string Name, NunerArmKind Kind, string Role, bool LearnedScoreScale = false, double PositiveWeight = 1)
{
    /// <summary>MLM-only arm.</summary>
    public static readonly NunerArm MlmOnly = new("mlm-only", NunerArmKind.MlmOnly, "main");
    /// <summary>NER-BERT-style arm.</summary>
    public static readonly NunerArm NerBert = new("ner-bert", NunerArmKind.NerBert, "main");
    /// <summary>Concept-contrastive with the paper's loss.</summary>
    public static readonly NunerArm Concept = new("concept", NunerArmKind.Concept, "main");
    /// <summary>Ablation: + learned score scale and bias.</summary>
    public static readonly NunerArm ConceptScaled = new("concept+scale", NunerArmKind.Concept, "ablation", LearnedScoreScale: true);
    /// <summary>Ablation: + learned score scale and bias + positive weight 20 (the earlier runs' loss).</summary>
    public static readonly NunerArm ConceptScaledWeighted = new("concept+scale+w20", NunerArmKind.Concept, "ablation", LearnedScoreScale: true, PositiveWeight: 20);
    /// <summary>Control: the untrained encoder.</summary>
    public static readonly NunerArm Untrained = new("untrained", NunerArmKind.Untrained, "control");

    /// <summary>Every arm, main ones first.</summary>
    public static IReadOnlyList<NunerArm> All { get; } = [MlmOnly, NerBert, Concept, ConceptScaled, ConceptScaledWeighted, Untrained];

    /// <summary>The arm called <paramref name="name"/>.</summary>
    public static NunerArm Named(string name) => All.Single(a => a.Name == name);
}
