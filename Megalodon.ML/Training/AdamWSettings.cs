using TorchSharp;
using TorchSharp.Modules;

namespace Megalodon.ML.Training;

/// <summary>
/// AdamW hyper-parameters with the reference repository's defaults: lr 1e-3, betas (0.9, 0.98), eps 1e-8, weight decay
/// 0.1 over all parameters (no exclusions for norms, biases or CEMA parameters), global L2 gradient clip 1.0.
/// </summary>
public sealed record AdamWSettings
{
    /// <summary>The reference defaults.</summary>
    public static AdamWSettings Reference { get; } = new();

    /// <summary>
    /// The learning rate the optimizer is created with. The trainer overwrites it before every step with its schedule's
    /// value, so it only matters when the optimizer is used without a schedule.
    /// </summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>First-moment decay β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Second-moment decay β2.</summary>
    public double Beta2 { get; init; } = 0.98;

    /// <summary>Denominator term ε.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay, applied to every parameter.</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Maximum global L2 norm of the gradients; 0 or infinity disables clipping.</summary>
    public double GradientClipNorm { get; init; } = 1.0;

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        LearningRateSchedule.CheckRate(LearningRate, nameof(LearningRate));
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "β1 must be in [0, 1).");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "β2 must be in [0, 1).");
        if (!(Epsilon >= 0 && double.IsFinite(Epsilon))) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "ε must be finite and non-negative.");
        if (!(WeightDecay >= 0 && double.IsFinite(WeightDecay))) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Weight decay must be finite and non-negative.");
        if (!(GradientClipNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), GradientClipNorm, "The clip norm must be non-negative (0 disables it).");
    }

    /// <summary>Whether <see cref="GradientClipNorm"/> clips at all.</summary>
    public bool ClipsGradients => GradientClipNorm > 0 && double.IsFinite(GradientClipNorm);

    /// <summary>
    /// Creates TorchSharp's AdamW over all of <paramref name="module"/>'s parameters, in <c>named_parameters()</c> order
    /// (a tied parameter once), as one parameter group.
    /// </summary>
    /// <param name="module">The model.</param>
    public AdamW Create(torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        Validate();
        return torch.optim.AdamW(DistinctParameters(module).Select(p => p.Parameter).ToArray(),
            lr: LearningRate, beta1: Beta1, beta2: Beta2, eps: Epsilon, weight_decay: WeightDecay);
    }

    /// <summary>The module's named parameters, a tied (shared) parameter once under its first name: the optimizer's order.</summary>
    internal static (string Name, Parameter Parameter)[] DistinctParameters(torch.nn.Module module)
    {
        var seen = new HashSet<IntPtr>();
        return module.named_parameters().Where(p => seen.Add(p.parameter.Handle)).Select(p => (p.name, p.parameter)).ToArray();
    }

    /// <summary>Sets the learning rate of every parameter group (call before each step with the schedule's value).</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="learningRate">The rate for the coming step.</param>
    public static void SetLearningRate(torch.optim.Optimizer optimizer, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = learningRate;
    }

    /// <summary>
    /// Clips the gradients of <paramref name="parameters"/> to <see cref="GradientClipNorm"/> (global L2) and returns the
    /// norm before clipping; without clipping it only measures the norm.
    /// </summary>
    /// <param name="parameters">The parameters whose gradients to clip.</param>
    public double ClipGradients(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        // libtorch skips parameters without a gradient; an infinite max norm measures without scaling.
        return torch.nn.utils.clip_grad_norm_(parameters, ClipsGradients ? GradientClipNorm : double.PositiveInfinity);
    }
}
