using System.Diagnostics;
using Megalodon.ML.Checkpoints;
using Megalodon.ML.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Parity;

/// <summary>
/// Replays one golden case against <see cref="MegalodonModel"/> in float32: full forward (logits, <c>hidden.final</c>,
/// <c>layer0.*</c> through <see cref="MegalodonModel.Tap"/>), the mean next-token cross-entropy, its backward pass
/// (every <c>grad.*</c>), and cached decoding over the case's segments. Works on any case folder of the same format.
/// It runs on any device (CPU by default), always in float32 with the same tolerances, with any attention kernel
/// (the model's default unless one is given), so a GPU run can check the fused kernel against the reference too.
/// </summary>
public static class ParityRunner
{
    /// <summary>The first-layer intermediates a golden case may hold; absent ones are reported as skipped.</summary>
    public static IReadOnlyList<string> Layer0Names { get; } =
    [
        "layer0.timestep_norm.in", "layer0.timestep_norm.out", "layer0.cema.in", "layer0.cema.out",
        "layer0.rmsnorm.out", "layer0.attention.out", "layer0.attn_out", "layer0.out",
    ];

    /// <summary>The final hidden state's name.</summary>
    public const string HiddenName = "hidden.final";

    private const string GradPrefix = "grad.";

    /// <summary>Runs the case in <paramref name="caseFolder"/>.</summary>
    /// <param name="caseFolder">A folder holding config.json, weights.safetensors and io.safetensors.</param>
    /// <param name="tolerances">Bounds; null for <see cref="ParityTolerances.Default"/>.</param>
    /// <param name="device">Where the model runs; null for CPU.</param>
    /// <param name="attention">The attention kernel over whole chunks; null for the model's default.</param>
    public static ParityResult Run(string caseFolder, ParityTolerances? tolerances = null, Device? device = null, AttentionKernel? attention = null) =>
        Run(GoldenCase.Load(caseFolder), tolerances, device, attention);

    /// <summary>Runs a loaded case. Problems inside the run (a model error, a missing tensor) become failed checks.</summary>
    /// <param name="goldenCase">The case.</param>
    /// <param name="tolerances">Bounds; null for <see cref="ParityTolerances.Default"/>.</param>
    /// <param name="device">Where the model runs; null for CPU. Comparisons are made on CPU copies.</param>
    /// <param name="attention">The attention kernel over whole chunks; null for the model's default.</param>
    public static ParityResult Run(GoldenCase goldenCase, ParityTolerances? tolerances = null, Device? device = null, AttentionKernel? attention = null)
    {
        var tol = tolerances ?? ParityTolerances.Default;
        var checks = new List<ParityCheck>();
        double? loss = null, referenceLoss = null;
        var clock = Stopwatch.StartNew();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var io = SafeTensorsReader.Open(goldenCase.IoPath);
            var tokens = ReadTokens(io, goldenCase, checks)?.to(device ?? CPU);
            if (tokens is not null)
            {
                using var model = new MegalodonModel(goldenCase.Config, device);
                if (attention is { } kernel) model.Attention.Kernel = kernel;
                // The fixtures and tolerances are float32; a changed default dtype would make a different comparison.
                var notFloat32 = model.parameters().FirstOrDefault(p => p.dtype != ScalarType.Float32);
                if (notFloat32 is not null)
                    throw new InvalidOperationException($"the model was built with {notFloat32.dtype} parameters; golden parity runs in float32");
                LoadWeights(model, goldenCase.WeightsPath);
                (loss, referenceLoss) = CheckForwardAndBackward(model, io, tokens, tol, checks);
                CheckIncremental(model, io, tokens, goldenCase.IncrementalSegments, tol, checks);
            }
        }
        catch (Exception ex)
        {
            checks.Add(ParityCheck.Broken("run", ParityCheckKind.Run, 0, $"{ex.GetType().Name}: {ex.Message}"));
        }
        return new ParityResult(goldenCase.Name, goldenCase.Folder, checks, loss, referenceLoss, clock.Elapsed);
    }

    private static Tensor? ReadTokens(SafeTensorsReader io, GoldenCase goldenCase, List<ParityCheck> checks)
    {
        if (!io.Contains("tokens"))
        {
            checks.Add(ParityCheck.Broken("tokens", ParityCheckKind.Run, 0, "io.safetensors has no 'tokens'"));
            return null;
        }
        var tokens = io.Read("tokens");
        string? problem = null;
        if (tokens.dtype != ScalarType.Int64 || tokens.dim() != 2)
            problem = $"'tokens' must be (B, L) int64, found {tokens.dtype} [{string.Join(", ", tokens.shape)}]";
        else if (goldenCase.Batch is { } b && b != tokens.shape[0])
            problem = $"'tokens' has batch {tokens.shape[0]} but config.json says batch {b}";
        else if (goldenCase.SeqLen is { } l && l != tokens.shape[1])
            problem = $"'tokens' has length {tokens.shape[1]} but config.json says seq_len {l}";
        if (problem is null) return tokens;
        checks.Add(ParityCheck.Broken("tokens", ParityCheckKind.Run, 0, problem));
        return null;
    }

    private static void LoadWeights(MegalodonModel model, string weightsPath)
    {
        var weights = SafeTensors.Load(weightsPath);
        try { model.LoadReferenceStateDict(weights); }
        finally { foreach (var t in weights.Values) t.Dispose(); }
    }

    private static (double? Loss, double? ReferenceLoss) CheckForwardAndBackward(
        MegalodonModel model, SafeTensorsReader io, Tensor tokens, ParityTolerances tol, List<ParityCheck> checks)
    {
        model.train();   // every dropout is 0 in the fixtures; train mode is the mode the reference gradients came from
        var tapped = new Dictionary<string, ParityCheck>(StringComparer.Ordinal);
        model.Tap = (name, value) => CompareTapped(name, value, io, tol, tapped);
        Tensor logits;
        try { logits = model.forward(tokens); }
        finally { model.Tap = null; }

        checks.Add(CompareMaxAbs("logits", ParityCheckKind.Logits, logits, io, tol.LogitsMaxAbs, required: true));

        if (tapped.TryGetValue(HiddenName, out var hidden)) checks.Add(hidden);
        else if (!io.Contains(HiddenName)) checks.Add(ParityCheck.Skip(HiddenName, ParityCheckKind.Hidden, tol.HiddenMaxAbs, "not in io.safetensors"));
        else
        {
            // The model did not tap it: recompute it through the public hidden-state forward.
            using var noGrad = torch.no_grad();
            using var h = model.ForwardHidden(tokens);
            checks.Add(CompareMaxAbs(HiddenName, ParityCheckKind.Hidden, h, io, tol.HiddenMaxAbs, required: true));
        }

        var layer0 = Layer0Names.Concat(io.Names.Where(n => n.StartsWith("layer0.", StringComparison.Ordinal))).Distinct();
        foreach (var name in layer0)
        {
            if (tapped.TryGetValue(name, out var check)) checks.Add(check);
            else if (!io.Contains(name)) checks.Add(ParityCheck.Skip(name, ParityCheckKind.Layer0, tol.Layer0MaxAbs, "not in io.safetensors"));
            else checks.Add(ParityCheck.Skip(name, ParityCheckKind.Layer0, tol.Layer0MaxAbs, "the model did not tap it"));
        }

        return CheckLossAndGradients(model, io, tokens, logits, tol, checks);
    }

    private static void CompareTapped(string name, Tensor value, SafeTensorsReader io, ParityTolerances tol, Dictionary<string, ParityCheck> tapped)
    {
        bool isHidden = name == HiddenName;
        if (!isHidden && !name.StartsWith("layer0.", StringComparison.Ordinal)) return;
        if (!io.Contains(name)) return;
        // Compare at once and keep only the number: the tapped tensor may die with the model's own dispose scope.
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var check = CompareMaxAbs(name, isHidden ? ParityCheckKind.Hidden : ParityCheckKind.Layer0, value, io,
            isHidden ? tol.HiddenMaxAbs : tol.Layer0MaxAbs, required: true);
        // A name tapped twice keeps its worst comparison.
        if (!tapped.TryGetValue(name, out var previous) || Severity(check) > Severity(previous)) tapped[name] = check;
    }

    private static double Severity(ParityCheck c) => c.Value is not { } v ? double.PositiveInfinity : double.IsNaN(v) ? double.MaxValue : v;

    private static (double? Loss, double? ReferenceLoss) CheckLossAndGradients(
        MegalodonModel model, SafeTensorsReader io, Tensor tokens, Tensor logits, ParityTolerances tol, List<ParityCheck> checks)
    {
        long batch = tokens.shape[0], length = tokens.shape[1];
        if (length < 2)
        {
            checks.Add(ParityCheck.Skip("loss", ParityCheckKind.Loss, tol.LossAbs, "a sequence of one token has no next-token target"));
            return (null, null);
        }
        // Mean over all B·(L−1) positions of CE(logits[b, t], tokens[b, t+1]), natural log, no ignore index.
        var vocab = logits.shape[2];
        var predictions = logits.narrow(1, 0, length - 1).reshape(batch * (length - 1), vocab);
        var targets = tokens.narrow(1, 1, length - 1).reshape(batch * (length - 1));
        var loss = torch.nn.functional.cross_entropy(predictions.to(ScalarType.Float32), targets);
        double ours = loss.item<float>();
        double? reference = null;
        if (io.Contains("loss"))
        {
            using var refLoss = io.Read("loss");
            reference = refLoss.to(ScalarType.Float64).item<double>();
            checks.Add(ParityCheck.Measured("loss", ParityCheckKind.Loss, Math.Abs(ours - reference.Value), tol.LossAbs,
                $"ours {ours:R}, reference {reference.Value:R}"));
        }
        else checks.Add(ParityCheck.Broken("loss", ParityCheckKind.Loss, tol.LossAbs, "io.safetensors has no 'loss'"));

        var gradNames = io.Names.Where(n => n.StartsWith(GradPrefix, StringComparison.Ordinal)).ToList();
        if (gradNames.Count == 0)
        {
            checks.Add(ParityCheck.Skip("grad.*", ParityCheckKind.Gradient, tol.GradientRelL2, "io.safetensors has no gradients"));
            return (ours, reference);
        }
        loss.backward();
        var gradients = model.ReferenceGradients();
        try
        {
            foreach (var ioName in gradNames)
            {
                var parameter = ioName[GradPrefix.Length..];
                if (!gradients.TryGetValue(parameter, out var ourGrad))
                {
                    checks.Add(ParityCheck.Broken(ioName, ParityCheckKind.Gradient, tol.GradientRelL2, $"the model reports no gradient for '{parameter}'"));
                    continue;
                }
                using var stepScope = torch.NewDisposeScope();
                var refGrad = io.Read(ioName);
                checks.Add(CompareRelL2(ioName, ourGrad, refGrad, tol.GradientRelL2));
            }
        }
        finally
        {
            foreach (var g in gradients.Values) g.Dispose();
        }
        return (ours, reference);
    }

    private static void CheckIncremental(MegalodonModel model, SafeTensorsReader io, Tensor tokens, IReadOnlyList<int>? segments,
        ParityTolerances tol, List<ParityCheck> checks)
    {
        const string name = "logits_incremental";
        if (!io.Contains(name))
        {
            checks.Add(ParityCheck.Skip(name, ParityCheckKind.Incremental, tol.IncrementalMaxAbs, "not in io.safetensors"));
            return;
        }
        if (segments is null || segments.Count == 0)
        {
            checks.Add(ParityCheck.Broken(name, ParityCheckKind.Incremental, tol.IncrementalMaxAbs, "config.json has no incremental_segments"));
            return;
        }
        long length = tokens.shape[1];
        if (segments.Any(s => s <= 0) || segments.Sum(s => (long)s) != length)
        {
            checks.Add(ParityCheck.Broken(name, ParityCheckKind.Incremental, tol.IncrementalMaxAbs,
                $"incremental_segments [{string.Join(", ", segments)}] must be positive and sum to L = {length}"));
            return;
        }

        model.eval();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        using var state = model.NewState((int)tokens.shape[0]);
        var pieces = new List<Tensor>();
        long position = 0;
        foreach (var segment in segments)
        {
            pieces.Add(model.Step(tokens.narrow(1, position, segment).contiguous(), state));
            position += segment;
        }
        var incremental = torch.cat(pieces, dim: 1);
        checks.Add(CompareMaxAbs(name, ParityCheckKind.Incremental, incremental, io, tol.IncrementalMaxAbs, required: true,
            note: $"segments {string.Join("+", segments)}"));
    }

    private static ParityCheck CompareMaxAbs(string name, ParityCheckKind kind, Tensor ours, SafeTensorsReader io, double tolerance,
        bool required, string note = "")
    {
        if (!io.Contains(name))
            return required
                ? ParityCheck.Broken(name, kind, tolerance, "io.safetensors has no such tensor")
                : ParityCheck.Skip(name, kind, tolerance, "not in io.safetensors");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var reference = io.Read(name);
        if (!ours.shape.SequenceEqual(reference.shape))
            return ParityCheck.Broken(name, kind, tolerance,
                $"shape [{string.Join(", ", ours.shape)}] differs from the reference's [{string.Join(", ", reference.shape)}]");
        if (ours.numel() == 0) return ParityCheck.Measured(name, kind, 0, tolerance, note);
        var diff = (ours.detach().cpu().to(ScalarType.Float64) - reference.to(ScalarType.Float64)).abs().max().item<double>();
        return ParityCheck.Measured(name, kind, diff, tolerance, note);
    }

    private static ParityCheck CompareRelL2(string name, Tensor ours, Tensor reference, double tolerance)
    {
        if (!ours.shape.SequenceEqual(reference.shape))
            return ParityCheck.Broken(name, ParityCheckKind.Gradient, tolerance,
                $"shape [{string.Join(", ", ours.shape)}] differs from the reference's [{string.Join(", ", reference.shape)}]");
        var o = ours.detach().cpu().to(ScalarType.Float64);
        var r = reference.to(ScalarType.Float64);
        double errorNorm = (o - r).norm().item<double>();
        double referenceNorm = r.norm().item<double>();
        // A zero reference gradient has no scale: report the absolute error instead of dividing by zero.
        return referenceNorm > 0
            ? ParityCheck.Measured(name, ParityCheckKind.Gradient, errorNorm / referenceNorm, tolerance)
            : ParityCheck.Measured(name, ParityCheckKind.Gradient, errorNorm, tolerance, "reference gradient is zero; absolute L2 error");
    }
}
