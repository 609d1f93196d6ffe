using System.Globalization;

namespace Megalodon.Bench;

/// <summary>Command-line options shared by every mode.</summary>
internal sealed record BenchOptions
{
    /// <summary>The mode: throughput, mfu, train-bf16, parity, streaming, profile, experiments, shakespeare, generate-memory or probing.</summary>
    public required string Mode { get; init; }
    /// <summary>Intra-op torch threads (1 beats 2 on the project's 2-core machine).</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Folder that receives the CSV files.</summary>
    public string OutDir { get; init; } = Path.Combine("runs", "bench");
    /// <summary>Sequence lengths of the throughput and profile modes.</summary>
    public int[] Lengths { get; init; } = [2048, 8192];
    /// <summary>Whether <c>--lengths</c> was given (modes with another default length use theirs otherwise).</summary>
    public bool LengthsGiven { get; init; }
    /// <summary>continual: which part of the experiment to run (all, worker, report).</summary>
    public string Part { get; init; } = "all";
    /// <summary>Timed runs per measurement (the median is reported); 0 means the mode's default.</summary>
    public int Runs { get; init; }
    /// <summary>Untimed warm-up runs per measurement; -1 means the mode's default.</summary>
    public int Warmup { get; init; } = -1;
    /// <summary>Which models the throughput mode runs: megalodon, llama or both.</summary>
    public string Models { get; init; } = "both";
    /// <summary>Heads of the Llama baseline; 0 picks heads of width 64.</summary>
    public int LlamaHeads { get; init; }
    /// <summary>Streaming: context lengths at which the per-token cost is measured.</summary>
    public int[] Contexts { get; init; } = [1024, 65536];
    /// <summary>Streaming: tokens fed one at a time per measurement window.</summary>
    public int Window { get; init; } = 256;
    /// <summary>Random seed for weights and tokens.</summary>
    public int Seed { get; init; } = 1234;
    /// <summary>continual: how many seeds (<see cref="Seed"/>, <see cref="Seed"/> + 1, ...) every row is trained with; 0 means the mode's default.</summary>
    public int Seeds { get; init; }
    /// <summary>Where models run: cpu, cuda, cuda:N or auto (see <c>TorchDevices.Resolve</c>).</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>mfu and nuner: projection matmuls in fp32 or bf16 (on fp32 master weights).</summary>
    public string Precision { get; init; } = "fp32";

    /// <summary><see cref="Precision"/> as the projections' matmul type: bf16, or null for the weights' own fp32.</summary>
    public TorchSharp.torch.ScalarType? MatmulType => Precision == "bf16" ? TorchSharp.torch.ScalarType.BFloat16 : null;
    /// <summary>mfu and train-bf16: the Megalodon preset (tiny, bench, small, 200m, ...).</summary>
    public string? Preset { get; init; }
    /// <summary>Vocabulary size; 0 means the preset's usual one (256 tiny, 8192 bench/small, 32000 the reference shapes).</summary>
    public int Vocab { get; init; }
    /// <summary>mfu: the card's dense bf16 peak in TFLOP/s (989 for an H100 or H200 SXM).</summary>
    public double PeakTflops { get; init; } = 989;
    /// <summary>train-bf16 and continual: optimizer steps (0: the mode's default).</summary>
    public int Steps { get; init; }
    /// <summary>train-bf16, mfu and continual: sequences per step (0: the mode's default).</summary>
    public int Batch { get; init; }
    /// <summary>mfu, profile, parity: Megalodon's attention kernel (auto, explicit, fused, or split for <c>FusedSplitValues</c>).</summary>
    public string Attention { get; init; } = "auto";

    /// <summary><see cref="Attention"/> as a kernel (<c>split</c> is <see cref="Megalodon.ML.Model.AttentionKernel.FusedSplitValues"/>).</summary>
    public Megalodon.ML.Model.AttentionKernel AttentionKernel => Attention == "split"
        ? Megalodon.ML.Model.AttentionKernel.FusedSplitValues
        : Enum.Parse<Megalodon.ML.Model.AttentionKernel>(Attention, ignoreCase: true);
    /// <summary>probing: checkpoints kept (step 0, the last step, and log-spaced ones between).</summary>
    public int Checkpoints { get; init; } = 15;
    /// <summary>probing: at most this many rows of each probing set (0: all).</summary>
    public int ProbeRows { get; init; }
    /// <summary>probing: rows of the training split used by the nHSIC estimates.</summary>
    public int MiRows { get; init; } = 512;
    /// <summary>probing: held-out rows per set scored under steering by the independent probe.</summary>
    public int SteerRows { get; init; } = 200;
    /// <summary>probing: held-out prompts per set continued under steering and scored by the text classifier.</summary>
    public int Prompts { get; init; } = 16;
    /// <summary>probing: tokens generated per steered continuation.</summary>
    public int GenTokens { get; init; } = 64;
    /// <summary>parity: the folder of golden cases.</summary>
    public string? Golden { get; init; }
    /// <summary>nuner: the experiment's budget, full (about 40 minutes on one thread), quick (a smoke run of a few minutes) or gpu (about 4 minutes on an H200, the reported run).</summary>
    public string Budget { get; init; } = "full";
    /// <summary>nuner: MLM steps instead of the budget's (0: the budget's).</summary>
    public int MlmSteps { get; init; }
    /// <summary>nuner: steps of each second-stage arm (concept-contrastive and MLM-only) instead of the budget's (0: the budget's).</summary>
    public int ConceptSteps { get; init; }
    /// <summary>nuner: WNUT-17 fine-tuning steps instead of the budget's (0: the budget's).</summary>
    public int WnutSteps { get; init; }
    /// <summary>nuner: most few-shot fine-tuning steps instead of the budget's (0: the budget's).</summary>
    public int FewShotMaxSteps { get; init; }
    /// <summary>nuner: when positive, time a few steps of every kind first and scale the MLM and second-stage steps (by one factor, 0.1 to 3) so that the run's estimate fills this many seconds from the process start; 0 (the default) turns it off.</summary>
    public double FitSeconds { get; init; }
    /// <summary>nuner: only time a few steps of every kind on the budget's shapes and print the per-step times and the run's estimate.</summary>
    public bool TimeOnly { get; init; }
    /// <summary>nuner: a folder of an earlier run whose MLM stages (mlm.safetensors, mlm-only.safetensors) are loaded instead of trained again.</summary>
    public string? Reuse { get; init; }
    /// <summary>nuner-arms: the held-out target, music (a CrossNER domain) or wnut17.</summary>
    public string Target { get; init; } = "music";
    /// <summary>nuner-arms: a concept JSONL (e.g. from LlmConceptAnnotator) added to the concept corpus, after the same exclusions.</summary>
    public string? ExtraConcepts { get; init; }
    /// <summary>ner-full: the data sets to run (null for all).</summary>
    public string[]? Datasets { get; init; }
    /// <summary>ner-full: most fine-tuning epochs (0: the mode's default).</summary>
    public int Epochs { get; init; }
    /// <summary>ner-full: epochs without a better dev F1 that stop fine-tuning (0: never stop early).</summary>
    public int Patience { get; init; } = 3;
    /// <summary>ner-full: peak fine-tuning learning rate (0: the mode's default, 2e-3).</summary>
    public double LearningRate { get; init; }

    /// <summary>weights-memory big-tensor: the tensor's size in GiB.</summary>
    public double TensorGib { get; init; } = 2.2;

    /// <summary>The Megalodon shape named by <see cref="Preset"/> (or <paramref name="fallback"/>) with <see cref="Vocab"/>.</summary>
    public Megalodon.ML.Model.MegalodonConfig PresetConfig(string fallback)
    {
        string name = (Preset ?? fallback).ToLowerInvariant();
        int vocab = Vocab > 0 ? Vocab : name switch { "tiny" => 256, "bench" or "small" => 8192, _ => 32000 };
        return Megalodon.ML.Model.MegalodonPresets.ByName(name, vocab);
    }

    public const string Usage = """
        usage: Megalodon.Bench <mode> [options]
          modes:
            throughput   tokens/s of forward and forward+backward, Megalodon vs a Llama-style baseline of equal size
            streaming    per-token time and process memory of Step() after short and long contexts
            profile      where Megalodon's forward+backward time goes, per sub-module
            experiments  candidate optimisations timed against the model's current code, with their accuracy
            shakespeare  Megalodon vs equal-size Llama trained identically on tinyshakespeare (--lengths: window, --runs: steps)
            generate-memory  peak memory of generating --window tokens after a --contexts prompt (one length per run)
            matmul       CPU matmul routes (linear, mm, mm on a contiguous transpose, oneDNN; fp32, bf16) at the model's training shapes
            mfu          forward+backward tokens/s and model-FLOPs utilisation, Megalodon (--preset, default 200m) vs equal-size Llama
            train-bf16   a short bf16 training run (LanguageModelTrainer, synthetic tokens) on --preset (default bench): loss and tokens/s
            probing      the trust-dynamics experiment of docs/probing.md: pretrain a 12-layer model on sotu keeping
                         log-spaced checkpoints, probe four dimensions on every checkpoint and layer (3 split seeds,
                         controls, nHSIC), steer the final model with independent judges, report the criteria
                         (--part pretrain|probe|steer|report|all; resumable; see bench/probing/run-experiment.sh)
            parity       golden parity (--golden DIR) on --device in fp32; exit 1 when a case fails
            prediction   scoring cost per row, PredictionEngine vs Transform, on rows of --lengths characters (default 1000,10000; --preset, default tiny)
            nuner        NuNER: MLM then concept-contrastive pretraining vs MLM only, few-shot NER on a held-out CrossNER domain (--budget, --device)
            ner-full     full-data NER: MLM encoder, fine-tuning with dev early stopping on WNUT-17 and CrossNER, vs memorisation (--datasets, --preset)
            nuner-probe  NuNER few-shot with frozen encoders (linear probe) from a full run's encoders (--reuse DIR)
            nuner-arms   issue 18: MLM-only vs NER-BERT-style vs concept-contrastive (paper's loss, ablations, untrained control) from one
                         MLM encoder, few-shot k=1,4,16,64 x 5 seeds with dev early stopping on a held-out target whose types are
                         out of pretraining (--budget cpu|quick|gpu, --target music|wnut17, --extra-concepts FILE); resumable in --out
            nuner-loss   NuNER concept loss with positive weight 1 vs 20 from a run's MLM encoder (--reuse DIR, --steps N): zero-shot WNUT-17 dev
            weights-memory  peak memory of saving (--part save) and loading (--part load, after save) a model zip on --preset
                         (default small) relative to its weights, or a streamed safetensors round trip of one
                         --tensor-gib tensor (--part big-tensor); one part per process
            continual    continual pre-training on sotu -> wikitext-2 / linux-kernel: the paper's Table 2 rows (--part,
                         --steps: one dataset's budget, --seeds, --batch, --lengths: window); see docs/continual.md
          options:
            --threads N        torch intra-op threads (default 1)
            --out DIR          folder for CSV files (default runs/bench)
            --lengths A,B      sequence lengths (default 2048,8192)
            --runs K           timed runs, median reported (default depends on the mode)
            --warmup W         untimed warm-up runs (default depends on the mode)
            --models M         throughput: megalodon, llama or both (default both)
            --llama-heads H    Llama heads (default: head width 64)
            --contexts A,B     streaming: context lengths (default 1024,65536); generate-memory: the prompt length
            --window N         streaming: tokens timed one by one per point (default 256); generate-memory: tokens generated
            --seed S           random seed (default 1234)
            --seeds N          continual: train every row with seeds S, S+1, ..., S+N-1 (default 3)
            --device D         cpu, cuda, cuda:N or auto (default cpu)
            --precision P      mfu, profile, nuner: fp32 or bf16 projections (default fp32)
            --preset NAME      mfu, train-bf16, profile: tiny, bench, small, 200m, 1.3b, 7b; ner-full: encoders tiny,small,base (default tiny)
            --vocab V          vocabulary size (default: the preset's usual one)
            --peak-tflops T    mfu: the card's dense bf16 peak (default 989, H100/H200 SXM)
            --steps N          train-bf16: optimizer steps (default 40); continual: steps per dataset budget (500)
            --batch B          train-bf16: sequences per step (default 4; mfu 1; continual 8)
            --attention K      mfu, profile, parity: Megalodon's attention kernel, auto, explicit, fused or split
                               (fused, values in q-wide slices); default auto (the explicit path)
            --golden DIR       parity: the golden cases folder
            --budget B         nuner: full (about 40 min on one thread), quick (a smoke run) or gpu (about 4 min on an H200);
                               nuner-arms: cpu (about 3 hours on one thread), quick or gpu
            --mlm-steps N      nuner: MLM steps (default: the budget's)
            --concept-steps N  nuner: steps of each second-stage arm, concept and MLM-only (default: the budget's)
            --wnut-steps N     nuner: WNUT-17 fine-tuning steps (default: the budget's)
            --fewshot-max-steps N  nuner: most few-shot fine-tuning steps (default: the budget's)
            --fit-seconds S    nuner: time a few steps first; scale MLM and second-stage steps (x0.1 to x3) to fill S seconds (0: off)
            --time-only        nuner: time a few steps of every kind, print the run's estimate, and stop
            --target T         nuner-arms: music (default) or wnut17
            --extra-concepts F nuner-arms: a concept JSONL (LlmConceptAnnotator output) added to the concept corpus
            --reuse DIR        nuner: load the MLM and MLM-only encoders of an earlier run's --out folder instead of training them
            --datasets A,B     ner-full: wnut17, music, ai, literature (default all)
            --epochs N         ner-full: most fine-tuning epochs (default 8; at least 400 steps)
            --patience N       ner-full: dev checks without a better F1 before stopping (default 3; 0 never); a check is every epoch or 25 steps, the larger
            --part P           continual: all (every row, then the report), worker (every unfinished row not taken by
                         another worker; run two side by side) or report (the tables of what has finished); default all;
                         weights-memory: save, load, big-tensor
            --tensor-gib G     weights-memory big-tensor: tensor size in GiB (default 2.2)
            --checkpoints K    probing: checkpoints probed, step 0 and the midpoint included (default 15)
            --probe-rows N     probing: at most N rows per probing set (default 1600)
            --mi-rows N        probing: training rows in the nHSIC estimates (default 512)
            --steer-rows N     probing: held-out rows scored under steering (default 200)
            --prompts N        probing: held-out prompts continued under steering (default 16)
            --gen-tokens N     probing: tokens per steered continuation (default 64)
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with the reason on bad input.</summary>
    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
            throw new ArgumentException("The first argument must be the mode.");
        var options = new BenchOptions { Mode = args[0].ToLowerInvariant() };
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            options = name switch
            {
                "--threads" => options with { Threads = PositiveInt(Value(), name) },
                "--out" => options with { OutDir = Value() },
                "--lengths" => options with { Lengths = IntList(Value(), name), LengthsGiven = true },
                "--part" => options with { Part = Value().ToLowerInvariant() },
                "--runs" => options with { Runs = PositiveInt(Value(), name) },
                "--warmup" => options with { Warmup = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--models" => options with { Models = Value().ToLowerInvariant() },
                "--llama-heads" => options with { LlamaHeads = PositiveInt(Value(), name) },
                "--contexts" => options with { Contexts = IntList(Value(), name) },
                "--window" => options with { Window = PositiveInt(Value(), name) },
                "--seed" => options with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--seeds" => options with { Seeds = PositiveInt(Value(), name) },
                "--device" => options with { Device = Value() },
                "--precision" => options with { Precision = Value().ToLowerInvariant() },
                "--preset" => options with { Preset = Value() },
                "--vocab" => options with { Vocab = PositiveInt(Value(), name) },
                "--peak-tflops" => options with { PeakTflops = PositiveDouble(Value(), name) },
                "--steps" => options with { Steps = PositiveInt(Value(), name) },
                "--batch" => options with { Batch = PositiveInt(Value(), name) },
                "--golden" => options with { Golden = Value() },
                "--checkpoints" => options with { Checkpoints = Math.Max(3, PositiveInt(Value(), name)) },
                "--probe-rows" => options with { ProbeRows = PositiveInt(Value(), name) },
                "--mi-rows" => options with { MiRows = PositiveInt(Value(), name) },
                "--steer-rows" => options with { SteerRows = PositiveInt(Value(), name) },
                "--prompts" => options with { Prompts = PositiveInt(Value(), name) },
                "--gen-tokens" => options with { GenTokens = PositiveInt(Value(), name) },
                "--attention" => options with { Attention = Value().ToLowerInvariant() },
                "--budget" => options with { Budget = Value().ToLowerInvariant() },
                "--reuse" => options with { Reuse = Value() },
                "--target" => options with { Target = Value().ToLowerInvariant() },
                "--extra-concepts" => options with { ExtraConcepts = Value() },
                "--mlm-steps" => options with { MlmSteps = PositiveInt(Value(), name) },
                "--concept-steps" => options with { ConceptSteps = PositiveInt(Value(), name) },
                "--wnut-steps" => options with { WnutSteps = PositiveInt(Value(), name) },
                "--fewshot-max-steps" => options with { FewShotMaxSteps = PositiveInt(Value(), name) },
                "--fit-seconds" => options with { FitSeconds = NonNegativeDouble(Value(), name) },
                "--time-only" => options with { TimeOnly = true },
                "--tensor-gib" => options with { TensorGib = PositiveDouble(Value(), name) },
                "--datasets" => options with { Datasets = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(d => d.ToLowerInvariant()).ToArray() },
                "--epochs" => options with { Epochs = PositiveInt(Value(), name) },
                "--patience" => options with { Patience = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--lr" => options with { LearningRate = PositiveDouble(Value(), name) },
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }
        if (options.Models is not ("both" or "megalodon" or "llama"))
            throw new ArgumentException($"--models must be megalodon, llama or both (got '{options.Models}').");
        if (options.Attention is not ("auto" or "explicit" or "fused" or "split"))
            throw new ArgumentException($"--attention must be auto, explicit, fused or split (got '{options.Attention}').");
        if (options.Budget is not ("full" or "quick" or "gpu" or "cpu"))
            throw new ArgumentException($"--budget must be full, quick, gpu or cpu (got '{options.Budget}').");
        if (options.Target is not ("music" or "wnut17"))
            throw new ArgumentException($"--target must be music or wnut17 (got '{options.Target}').");
        if (options.FitSeconds > 0 && options.Reuse is not null)
            throw new ArgumentException("--fit-seconds cannot be combined with --reuse: the reused MLM-only arm's steps are fixed, and the concept arm must match them.");
        if (options.Precision is not ("fp32" or "bf16"))
            throw new ArgumentException($"--precision must be fp32 or bf16 (got '{options.Precision}').");
        return options;
    }

    private static int PositiveInt(string text, string name)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value <= 0)
            throw new ArgumentException($"{name} needs a positive integer (got '{text}').");
        return value;
    }

    private static double PositiveDouble(string text, string name)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0) || !double.IsFinite(value))
            throw new ArgumentException($"{name} needs a positive number (got '{text}').");
        return value;
    }

    private static double NonNegativeDouble(string text, string name)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value >= 0) || !double.IsFinite(value))
            throw new ArgumentException($"{name} needs a number of at least 0 (got '{text}').");
        return value;
    }

    private static int[] IntList(string text, string name) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => PositiveInt(t, name)).ToArray();
}
