using System.Diagnostics;
using System.Globalization;
using System.Text;
using Megalodon.ML.Encoder;
using Megalodon.ML.Ner;
using TorchSharp;
using static TorchSharp.torch;
using static Megalodon.Bench.NunerBench;

namespace Megalodon.Bench;

/// <summary>
/// The experiment of issue 18 (docs/nuner.md, "Experiment that isolates concept-contrastive pretraining"): one MLM encoder,
/// then second-stage arms with the same steps, batch and sentences (MLM-only, NER-BERT-style, concept-contrastive with the
/// paper's loss, two ablations of that loss) and an untrained control, each fine-tuned few-shot with dev early stopping on a
/// held-out target whose types (and their synonyms) and sentences are kept out of pretraining. Resumable: pretraining
/// stages write checkpoints, finished encoders and finished cells are kept in the output folder and skipped on a rerun.
/// </summary>
internal static class NunerArmsBench
{
    private const string CellsFile = "nuner-arms-cells.csv";
    private const string CellsHeader = "arm,role,k,seed,sentences,steps,best step,stopped early,dev token macro F1,test token macro F1,test entity F1,precision,recall,seconds,load";

    public static void Run(BenchOptions options, Device device)
    {
        var budget = NunerArmsBudget.For(options);
        string data = Path.Combine(SharedData.Folder(), "data");
        string outDir = options.OutDir;
        Directory.CreateDirectory(outDir);
        Log($"nuner-arms, device {device}, target {options.Target}; {budget}");

        // --- Data, and the checks that the target is out of pretraining (stop here if not).
        var target = NunerTarget.Load(options.Target, data, budget.DevSentences);
        var excluded = ConceptSynonyms.Of(target.Types);
        target.Corpus.ExcludedConcepts = excluded;
        var built = ConceptCorpusBuilder.Build(target.Corpus);
        var corpus = built.Sentences.Select(PatternConcepts.Add).ToList();
        var targetTexts = target.AllSentences.Select(s => s.Text).ToHashSet(StringComparer.Ordinal);
        int extraDroppedSentences = 0, extraDroppedMentions = 0;
        if (options.ExtraConcepts is { } extraPath)
        {
            foreach (var sentence in ConceptJsonl.ReadFile(extraPath))
            {
                if (targetTexts.Contains(sentence.Text)) { extraDroppedSentences++; continue; }
                var kept = sentence.Entities.Where(e => !excluded.Contains(ConceptEncoder.NormalizeName(e.Concept))).ToList();
                extraDroppedMentions += sentence.Entities.Count - kept.Count;
                corpus.Add(new ConceptAnnotatedSentence(sentence.Text, kept));
            }
        }
        var mentions = corpus.SelectMany(s => s.Entities).GroupBy(e => ConceptEncoder.NormalizeName(e.Concept)).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var description = new List<string>
        {
            $"target {target.Name}: pool {target.Pool.Count}, dev {target.Dev.Count}, test {target.Test.Count} sentences; types: {string.Join(", ", target.Types)}",
            $"excluded concept names (the target's types and their synonyms): {string.Join(", ", excluded)}",
            $"mentions dropped from the corpus per excluded concept: {(built.ExcludedMentionsByConcept.Count == 0 ? "none" : string.Join(", ", built.ExcludedMentionsByConcept.Select(p => $"{p.Key} {p.Value}")))}" +
                (options.ExtraConcepts is null ? "" : $"; from {Path.GetFileName(options.ExtraConcepts)}: {extraDroppedMentions} mentions, {extraDroppedSentences} sentences of the target"),
            $"sentences dropped because the target holds their text: {built.DroppedAsHeldOut}; duplicates dropped: {built.DroppedDuplicates}",
            $"concept corpus: {corpus.Count} sentences ({string.Join(", ", built.SentencesBySource.Select(p => $"{p.Key} {p.Value}"))}{(options.ExtraConcepts is null ? "" : $", {Path.GetFileName(options.ExtraConcepts)}")}), " +
                $"{mentions.Values.Sum()} mentions of {mentions.Count} distinct concepts: {string.Join(", ", mentions.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"))}",
        };
        foreach (var line in description) Log(line);
        var leaked = mentions.Keys.Where(excluded.Contains).ToList();
        if (leaked.Count > 0) throw new InvalidOperationException($"The concept corpus holds excluded concepts of the target: {string.Join(", ", leaked)}.");
        var leakedTexts = corpus.Count(s => targetTexts.Contains(s.Text));
        if (leakedTexts > 0) throw new InvalidOperationException($"{leakedTexts} concept-corpus sentences have the text of a target sentence.");

        var wikitext = File.ReadLines(Path.Combine(data, "wikitext-2", "valid.txt")).Concat(File.ReadLines(Path.Combine(data, "wikitext-2", "test.txt")))
            .Select(l => l.Trim()).Where(l => l.Length >= 20 && !l.StartsWith('=')).ToList();
        if (budget.WikitextLines is { } lines) wikitext = wikitext.Take(lines).ToList();
        var mlmTexts = wikitext.Concat(corpus.Select(c => c.Text)).Where(t => !targetTexts.Contains(t)).ToList();
        description.Add($"MLM text: {mlmTexts.Count} lines ({wikitext.Count} wikitext-2 valid+test, the rest the concept corpus), {mlmTexts.Sum(t => (long)t.Length):N0} characters");
        Log(description[^1]);

        // --- Encoders, made when a cell first needs them.
        var encoders = new Dictionary<string, BidirectionalEncoder>(StringComparer.Ordinal);
        string encoderFolder = Path.Combine(outDir, "encoders"), checkpointFolder = Path.Combine(outDir, "checkpoints");
        Directory.CreateDirectory(encoderFolder);
        BidirectionalEncoder Encoder(string name)
        {
            if (encoders.TryGetValue(name, out var ready)) return ready;
            string path = Path.Combine(encoderFolder, name + ".safetensors");
            BidirectionalEncoder encoder;
            if (File.Exists(path))
            {
                encoder = EncoderFiles.LoadEncoder(path, device);
                Log($"encoder '{name}' loaded from {path}");
            }
            else
            {
                encoder = Pretrain(name, budget, options, device, corpus, mlmTexts, Path.Combine(checkpointFolder, name), outDir, Encoder);
                string temporary = path + ".tmp";
                EncoderFiles.SaveEncoder(temporary, encoder);
                File.Move(temporary, path, overwrite: true);
                // The finished encoder replaces its checkpoints (a few MB each).
                if (Directory.Exists(Path.Combine(checkpointFolder, name))) Directory.Delete(Path.Combine(checkpointFolder, name), recursive: true);
            }
            encoder.MatmulType = options.MatmulType;
            return encoders[name] = encoder;
        }

        // --- Cells, in the order of the criteria; a finished cell is in the CSV and skipped.
        string cellsPath = Path.Combine(outDir, CellsFile);
        var done = ReadCells(cellsPath);
        if (!File.Exists(cellsPath)) File.WriteAllText(cellsPath, CellsHeader + "\n");
        var labels = NerLabelSet.FromSentences(target.AllSentences);
        var test = budget.TestSentences is { } cut ? target.Test.Take(cut).ToList() : target.Test.ToList();
        var testWords = Encode(test, budget.MaxTokens);
        var devWords = Encode(target.Dev, budget.MaxTokens);
        var plan = Plan(budget).ToList();
        Log($"{plan.Count} cells planned, {plan.Count(c => done.ContainsKey(Key(c.Arm.Name, c.K, c.Seed)))} already done");
        WriteSummary(outDir, description, done.Values.ToList(), budget);
        foreach (var (arm, k, seed) in plan)
        {
            if (done.ContainsKey(Key(arm.Name, k, seed))) continue;
            var clock = Stopwatch.StartNew();
            var sample = FewShotSampler.Sample(target.Pool, k, seed);
            var encoder = Encoder(arm.Name);
            torch.manual_seed(seed);
            using var classifier = new TokenClassifier(encoder, labels.Count);
            var train = sample.Sentences.Select(s => (EncodedWords.FromWords(s.Words, budget.MaxTokens), labels.Encode(s))).ToList();
            int perEpoch = (int)Math.Ceiling((double)train.Count / Math.Min(budget.FineTuneBatch, train.Count));
            var validation = new TaggerValidation
            {
                Score = c => Evaluate(c, target.Dev, devWords, labels).TokenMacroF1,
                IntervalSteps = Math.Max(perEpoch, budget.MinCheckSteps),
                Patience = budget.Patience,
            };
            var result = TokenClassifierTrainer.Train(classifier, train, Settings(budget.FineTuneMaxSteps, budget.FineTuneBatch, budget.FineTuneLearningRate, seed, budget.MaxTokens),
                validation: validation);
            var metrics = Evaluate(classifier, test, testWords, labels);
            var cell = new Cell(arm.Name, arm.Role, k, seed, train.Count, result.Losses.Count, result.Best?.Step ?? 0, result.StoppedEarly,
                Points(result.Best?.Score ?? 0), Points(metrics.TokenMacroF1), Points(metrics.F1), Points(metrics.Precision), Points(metrics.Recall),
                Math.Round(clock.Elapsed.TotalSeconds), LoadAverage());
            File.AppendAllText(cellsPath, cell.ToCsv() + "\n");
            done[Key(arm.Name, k, seed)] = cell;
            Log($"cell {arm.Name} k={k} seed={seed}: {train.Count} sentences, {cell.Steps} steps (best {cell.BestStep}{(cell.StoppedEarly ? ", stopped early" : "")}), " +
                $"dev token macro F1 {cell.DevTokenMacroF1:F1}; test token macro F1 {cell.TestTokenMacroF1:F1}, entity F1 {cell.TestEntityF1:F1} ({cell.Seconds:F0} s, load {cell.Load})");
            WriteSummary(outDir, description, done.Values.ToList(), budget);
        }
        foreach (var encoder in encoders.Values) encoder.Dispose();
        Log("all cells done; summary in " + Path.Combine(outDir, "nuner-arms-summary.md"));
    }

    /// <summary>The cells in the order of the criteria: the main arms at k = 4 and 16, then k = 1 and 64, then the ablations and the control.</summary>
    private static IEnumerable<(NunerArm Arm, int K, int Seed)> Plan(NunerArmsBudget budget)
    {
        var main = NunerArm.All.Where(a => a.Role == "main").ToList();
        var others = NunerArm.All.Where(a => a.Role != "main").ToList();
        int[] criteria = budget.Shots.Where(k => k is 4 or 16).ToArray(), rest = budget.Shots.Where(k => k is not (4 or 16)).ToArray();
        foreach (var (arms, shots) in new[] { (main, criteria), (main, rest), (others, criteria), (others, rest) })
            foreach (int k in shots)
                foreach (int seed in budget.Seeds)
                    foreach (var arm in arms)
                        yield return (arm, k, seed);
    }

    /// <summary>Trains one pretraining stage (the shared MLM encoder or an arm), with checkpoints every few steps and resume.</summary>
    private static BidirectionalEncoder Pretrain(string name, NunerArmsBudget budget, BenchOptions options, Device device, IReadOnlyList<ConceptAnnotatedSentence> corpus,
        IReadOnlyList<string> mlmTexts, string checkpointFolder, string outDir, Func<string, BidirectionalEncoder> encoderOf)
    {
        var checkpoints = new EncoderCheckpointSettings { Folder = checkpointFolder, Interval = budget.CheckpointInterval, Resume = true };
        var armSettings = Settings(budget.ArmSteps, budget.ArmBatch, budget.ArmLearningRate, options.Seed + 1, budget.MaxTokens);
        if (name != NunerArm.Untrained.Name)
            Log($"pretraining '{name}' (checkpoints in {checkpointFolder}{(Directory.Exists(checkpointFolder) ? ", resuming from the latest" : "")})");
        EncoderTrainingResult result;
        BidirectionalEncoder encoder;
        if (name is "mlm" || name == NunerArm.Untrained.Name)
        {
            torch.manual_seed(options.Seed); // the untrained control is the MLM stage's starting point
            encoder = new BidirectionalEncoder(budget.Config, device) { MatmulType = options.MatmulType };
            if (name != "mlm") return encoder;
            result = MaskedLanguageModelTrainer.Train(encoder, mlmTexts, Settings(budget.MlmSteps, budget.MlmBatch, budget.MlmLearningRate, options.Seed, budget.MlmPieceTokens),
                progress: Reporter("mlm", budget.MlmSteps), checkpoints: checkpoints);
        }
        else
        {
            var arm = NunerArm.Named(name);
            encoder = encoderOf("mlm").Clone();
            switch (arm.Kind)
            {
                case NunerArmKind.MlmOnly:
                    result = MaskedLanguageModelTrainer.Train(encoder, corpus.Select(c => c.Text), armSettings, progress: Reporter(name, budget.ArmSteps), checkpoints: checkpoints);
                    break;
                case NunerArmKind.NerBert:
                {
                    var bio = new ConceptBioLabels(corpus.SelectMany(s => s.Entities.Select(e => e.Concept)));
                    var labelled = corpus.Select(bio.Label).Select(p => (EncodedWords.FromWords(p.Words, budget.MaxTokens), p.Labels)).ToList();
                    // No dropout, as in the other arms' pretraining (and a resumed run then repeats an unbroken one).
                    using var classifier = new TokenClassifier(encoder, bio.ClassCount) { Dropout = 0 };
                    result = TokenClassifierTrainer.Train(classifier, labelled, armSettings, progress: Reporter(name, budget.ArmSteps), checkpoints: checkpoints);
                    encoder.Dispose();
                    encoder = classifier.Encoder.Clone();
                    break;
                }
                case NunerArmKind.Concept:
                {
                    using var concepts = new ConceptEncoder(encoder);
                    result = ConceptContrastiveTrainer.Train(encoder, concepts, corpus, armSettings, Reporter(name, budget.ArmSteps),
                        positiveWeight: arm.PositiveWeight, checkpoints: checkpoints, learnedScoreScale: arm.LearnedScoreScale);
                    break;
                }
                default:
                    throw new InvalidOperationException($"Arm '{name}' has no pretraining.");
            }
        }
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{name},{result.Losses.Count},{result.Tokens},{Math.Round(result.Elapsed.TotalSeconds)},{result.MeanOfFirst(20):F4},{result.MeanOfLast(20):F4},{LoadAverage()}");
        string path = Path.Combine(outDir, "nuner-arms-pretraining.csv");
        if (!File.Exists(path)) File.WriteAllText(path, "stage,steps,tokens,seconds (this process),loss first 20,loss last 20,load\n");
        File.AppendAllText(path, line + "\n");
        Log($"pretraining '{name}' done: loss {result.MeanOfFirst(20):F4} -> {result.MeanOfLast(20):F4} (first and last 20 steps), {result.Elapsed.TotalSeconds:F0} s");
        return encoder;
    }

    private static NerMetrics Evaluate(TokenClassifier classifier, IReadOnlyList<NerSentence> gold, IReadOnlyList<EncodedWords> words, NerLabelSet labels) =>
        NerEvaluator.Evaluate(gold, classifier.Predict(words).Select(p => (IReadOnlyList<string>)labels.Decode(p)).ToList());

    /// <summary>One finished fine-tuning cell (scores in points).</summary>
    internal sealed record Cell(string Arm, string Role, int K, int Seed, int Sentences, int Steps, int BestStep, bool StoppedEarly, double DevTokenMacroF1,
        double TestTokenMacroF1, double TestEntityF1, double Precision, double Recall, double Seconds, string Load)
    {
        public string ToCsv() => string.Join(",", new object[] { Arm, Role, K, Seed, Sentences, Steps, BestStep, StoppedEarly, DevTokenMacroF1, TestTokenMacroF1, TestEntityF1, Precision, Recall, Seconds, Load }
            .Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

        public static Cell Parse(string line)
        {
            var f = line.Split(',');
            double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
            int I(int i) => int.Parse(f[i], CultureInfo.InvariantCulture);
            return new Cell(f[0], f[1], I(2), I(3), I(4), I(5), I(6), bool.Parse(f[7]), D(8), D(9), D(10), D(11), D(12), D(13), f[14]);
        }
    }

    private static string Key(string arm, int k, int seed) => $"{arm}/{k}/{seed}";

    private static Dictionary<string, Cell> ReadCells(string path)
    {
        var cells = new Dictionary<string, Cell>(StringComparer.Ordinal);
        if (!File.Exists(path)) return cells;
        foreach (var line in File.ReadLines(path).Skip(1).Where(l => l.Length > 0))
        {
            var cell = Cell.Parse(line);
            cells[Key(cell.Arm, cell.K, cell.Seed)] = cell;
        }
        return cells;
    }

    /// <summary>Rewrites the summary: the data lines, the pretraining stages, per arm and k the means and spreads, and the criteria as they stand.</summary>
    private static void WriteSummary(string outDir, IReadOnlyList<string> description, IReadOnlyList<Cell> cells, NunerArmsBudget budget)
    {
        var text = new StringBuilder();
        text.AppendLine("# nuner-arms summary (rewritten after every cell)").AppendLine();
        text.AppendLine(budget.ToString()).AppendLine();
        foreach (var line in description) text.AppendLine("- " + line);
        text.AppendLine();
        string pretraining = Path.Combine(outDir, "nuner-arms-pretraining.csv");
        if (File.Exists(pretraining))
        {
            text.AppendLine("## pretraining").AppendLine();
            foreach (var line in File.ReadLines(pretraining)) text.AppendLine("    " + line);
            text.AppendLine();
        }
        var table = new ResultTable("nuner-arms", "arm", "role", "k", "seeds", "test token macro F1", "test entity F1", "dev token macro F1", "steps (mean)", "best step (mean)");
        foreach (var arm in NunerArm.All)
            foreach (int k in budget.Shots)
            {
                var runs = cells.Where(c => c.Arm == arm.Name && c.K == k).OrderBy(c => c.Seed).ToList();
                if (runs.Count == 0) continue;
                table.Add(arm.Name, arm.Role, k, string.Join(" ", runs.Select(r => r.Seed)), MeanStd(runs.Select(r => r.TestTokenMacroF1 / 100)),
                    MeanStd(runs.Select(r => r.TestEntityF1 / 100)), MeanStd(runs.Select(r => r.DevTokenMacroF1 / 100)), Math.Round(runs.Average(r => r.Steps)), Math.Round(runs.Average(r => r.BestStep)));
            }
        text.AppendLine("## few-shot on the held-out target (majority class, all O, scores 0 on both metrics)").AppendLine();
        table.Print(new StringWriter(text));
        table.WriteCsv(outDir);

        var criteria = new ResultTable("nuner-arms-criteria", "k", "paired seeds", "concept − MLM-only (token macro F1)", "criterion 1 (≥ 5)", "concept − NER-BERT-style", "criterion 2 (> 0)", "per-seed concept − MLM-only");
        foreach (int k in budget.Shots)
        {
            var concept = cells.Where(c => c.Arm == NunerArm.Concept.Name && c.K == k).ToDictionary(c => c.Seed, c => c.TestTokenMacroF1);
            var mlm = cells.Where(c => c.Arm == NunerArm.MlmOnly.Name && c.K == k).ToDictionary(c => c.Seed, c => c.TestTokenMacroF1);
            var bert = cells.Where(c => c.Arm == NunerArm.NerBert.Name && c.K == k).ToDictionary(c => c.Seed, c => c.TestTokenMacroF1);
            var seeds = concept.Keys.Where(s => mlm.ContainsKey(s) && bert.ContainsKey(s)).Order().ToList();
            if (seeds.Count == 0) continue;
            double overMlm = seeds.Average(s => concept[s] - mlm[s]), overBert = seeds.Average(s => concept[s] - bert[s]);
            bool final = seeds.Count == budget.Seeds.Length;
            string Verdict(bool pass) => k is not (4 or 16) ? "no criterion at this k" : (pass ? "met" : "missed") + (final ? "" : $" so far ({seeds.Count} of {budget.Seeds.Length} seeds)");
            criteria.Add(k, seeds.Count, overMlm.ToString("+0.0;-0.0", CultureInfo.InvariantCulture), Verdict(overMlm >= 5),
                overBert.ToString("+0.0;-0.0", CultureInfo.InvariantCulture), Verdict(overBert > 0),
                string.Join(" ", seeds.Select(s => (concept[s] - mlm[s]).ToString("+0.0;-0.0", CultureInfo.InvariantCulture))));
        }
        text.AppendLine("## criteria (docs/nuner.md): concept − MLM-only ≥ 5 and concept > NER-BERT-style at k = 4 and 16, means of 5 seeds").AppendLine();
        criteria.Print(new StringWriter(text));
        criteria.WriteCsv(outDir);
        string path = Path.Combine(outDir, "nuner-arms-summary.md");
        File.WriteAllText(path + ".tmp", text.ToString());
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
