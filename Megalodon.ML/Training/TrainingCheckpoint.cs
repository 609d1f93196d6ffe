using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Training;

/// <summary>
/// One resumable training snapshot in memory: model weights, AdamW state and the trainer state. The tensors are CPU
/// copies owned by this object.
/// </summary>
/// <remarks>
/// Optimizer tensors are named after the parameter: <c>{name}.exp_avg</c>, <c>{name}.exp_avg_sq</c> (float, like the
/// parameter) and <c>{name}.step</c> (int64 scalar), for every parameter in the optimizer's order.
/// </remarks>
public sealed class TrainingCheckpoint : IDisposable
{
    /// <summary>Suffix of a parameter's first-moment tensor.</summary>
    public const string ExpAvgSuffix = ".exp_avg";

    /// <summary>Suffix of a parameter's second-moment tensor.</summary>
    public const string ExpAvgSqSuffix = ".exp_avg_sq";

    /// <summary>Suffix of a parameter's step-count tensor.</summary>
    public const string StepSuffix = ".step";

    /// <summary>Creates a checkpoint that takes ownership of the tensors.</summary>
    /// <param name="state">The trainer state.</param>
    /// <param name="model">Model tensors by <c>state_dict()</c> name.</param>
    /// <param name="optimizer">Optimizer tensors (see the remarks).</param>
    public TrainingCheckpoint(TrainerState state, IReadOnlyDictionary<string, Tensor> model, IReadOnlyDictionary<string, Tensor> optimizer)
    {
        State = state ?? throw new ArgumentNullException(nameof(state));
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
    }

    /// <summary>The trainer state.</summary>
    public TrainerState State { get; }

    /// <summary>Steps completed when the snapshot was taken.</summary>
    public long Step => State.Step;

    /// <summary>Model parameters and persistent buffers by <c>state_dict()</c> name.</summary>
    public IReadOnlyDictionary<string, Tensor> Model { get; }

    /// <summary>AdamW state tensors.</summary>
    public IReadOnlyDictionary<string, Tensor> Optimizer { get; }

    /// <summary>
    /// The model's <c>config.json</c> text when the model is a Megalodon (then <see cref="Model"/> is its reference
    /// state dict, tied output included), so a saved step folder is a complete checkpoint; null for other models.
    /// </summary>
    public string? ConfigJson { get; init; }

    /// <summary>
    /// Copies the model tensors into <paramref name="module"/> (strict: every name and shape must match). Use it to start
    /// a new run (for example continual pre-training with a fresh optimizer) from this snapshot's weights.
    /// </summary>
    /// <param name="module">The model to overwrite.</param>
    /// <exception cref="InvalidDataException">Names, shapes or dtypes differ.</exception>
    public void CopyModelTo(torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module is Megalodon.ML.Model.MegalodonModel megalodon)
        {
            // The reference state dict: the tied output copy (written since step folders carry it) is checked, not loaded.
            try { megalodon.LoadReferenceStateDict(Model); }
            catch (ArgumentException ex) { throw new InvalidDataException($"The checkpoint of step {Step} does not match the model: {ex.Message}", ex); }
            return;
        }
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !Model.ContainsKey(k)).ToList();
        var unexpected = Model.Keys.Where(k => !target.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException(
                $"The checkpoint of step {Step} does not match the model: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}].");
        using var noGrad = torch.no_grad();
        foreach (var (name, dst) in target)
            CopyInto(dst, Model[name], name, Step);
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> after checking shape and dtype.</summary>
    internal static void CopyInto(Tensor destination, Tensor source, string name, long step)
    {
        if (!destination.shape.SequenceEqual(source.shape) || destination.dtype != source.dtype)
            throw new InvalidDataException(
                $"Checkpoint of step {step}: '{name}' is {source.dtype} [{string.Join(", ", source.shape)}], " +
                $"the model needs {destination.dtype} [{string.Join(", ", destination.shape)}].");
        destination.copy_(source);
    }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        foreach (var t in Model.Values) t.Dispose();
        foreach (var t in Optimizer.Values) t.Dispose();
    }
}
