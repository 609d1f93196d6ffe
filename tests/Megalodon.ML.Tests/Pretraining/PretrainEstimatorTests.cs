using Megalodon.ML.Generation;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.Extensions.AI;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static Megalodon.ML.Tests.Pretraining.PretrainTestData;

namespace Megalodon.ML.Tests.Pretraining;

[TestClass]
public sealed class PretrainEstimatorTests
{
    private static (float[] Nll, float[] Ppl, float[][] Embedding) Outputs(IDataView scored) =>
        (scored.GetColumn<float>("NegativeLogLikelihood").ToArray(),
         scored.GetColumn<float>("Perplexity").ToArray(),
         scored.GetColumn<VBuffer<float>>("Embedding").Select(v => v.DenseValues().ToArray()).ToArray());

    [TestMethod]
    public void FitSaveLoadInAFreshContextGivesIdenticalOutputs()
    {
        var ml = new MLContext(seed: 1);
        var data = TextData(ml);
        using var model = ml.Transforms.Megalodon().Pretrain(Options()).Fit(data);
        Assert.IsNotNull(model.TrainingResult);
        var before = Outputs(model.Transform(data));
        Assert.HasCount(Documents.Length, before.Nll);
        Assert.IsTrue(before.Nll.All(v => v > 0 && float.IsFinite(v)));
        for (int i = 0; i < before.Nll.Length; i++) Assert.AreEqual(MathF.Exp(before.Nll[i]), before.Ppl[i], before.Ppl[i] * 1e-5f);
        Assert.AreEqual(16, before.Embedding[0].Length);

        string path = Path.Combine(Path.GetTempPath(), $"megalodon-lm-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var fresh = new MLContext();
            var loaded = fresh.Model.Load(path, out var schema);
            Assert.AreEqual("Text", schema[0].Name);
            var after = Outputs(loaded.Transform(TextData(fresh)));
            for (int i = 0; i < Documents.Length; i++)
            {
                Assert.AreEqual(before.Nll[i], after.Nll[i], 1e-6f, $"NLL row {i}");
                Assert.AreEqual(before.Ppl[i], after.Ppl[i], 1e-5f * before.Ppl[i], $"perplexity row {i}");
                for (int d = 0; d < 16; d++) Assert.AreEqual(before.Embedding[i][d], after.Embedding[i][d], 1e-6f, $"embedding row {i} dim {d}");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void PredictionEngineScoresOneRow()
    {
        var ml = new MLContext(seed: 1);
        var data = TextData(ml);
        using var model = ml.Transforms.Megalodon().Pretrain(Options()).Fit(data);
        var batch = Outputs(model.Transform(TextData(ml, [Documents[2]])));
        var engine = ml.Model.CreatePredictionEngine<TextRow, ScoredRow>(model);
        var single = engine.Predict(new TextRow { Text = Documents[2] });
        Assert.AreEqual(batch.Nll[0], single.NegativeLogLikelihood, 1e-5f);
        Assert.HasCount(16, single.Embedding);
    }

    public sealed class ScoredRow
    {
        public string Text { get; set; } = "";
        public float NegativeLogLikelihood { get; set; }
        public float Perplexity { get; set; }
        [VectorType(16)] public float[] Embedding { get; set; } = [];
    }

    [TestMethod]
    public async Task TheFittedModelGeneratesAndServesExtensionsAi()
    {
        var ml = new MLContext(seed: 1);
        using var model = ml.Transforms.Megalodon().Pretrain(Options()).Fit(TextData(ml));
        string text = model.Generate("The ", new GenerationOptions { Temperature = 0, MaxTokens = 8 });
        Assert.IsLessThanOrEqualTo(8, text.Length, "byte-level: at most one character per token");
        IEmbeddingGenerator<string, Embedding<float>> embedder = model;
        var embeddings = await embedder.GenerateAsync(["hello"]);
        Assert.AreEqual(16, embeddings[0].Vector.Length);
        IChatClient chat = model;
        var reply = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 4, Temperature = 0 });
        Assert.IsLessThanOrEqualTo(4, reply.Text.Length);
    }

    [TestMethod]
    public void TrainingLowersTheLoss()
    {
        var ml = new MLContext(seed: 1);
        using var model = ml.Transforms.Megalodon().Pretrain(Options(steps: 30)).Fit(TextData(ml));
        var history = model.TrainingResult!.History;
        double first = history.Take(3).Average(h => h.Loss), last = history.TakeLast(3).Average(h => h.Loss);
        Assert.IsLessThan(first * 0.9, last, $"loss {first:F3} -> {last:F3}");
    }

    [TestMethod]
    public void KilledRunResumedFromItsLastCheckpointEndsWithTheSameWeights()
    {
        string uninterruptedFolder = ScratchFolder(), killedFolder = ScratchFolder();
        try
        {
            var ml = new MLContext(seed: 1);
            using var reference = ml.Transforms.Megalodon().Pretrain(Options(steps: 8, checkpoints: uninterruptedFolder)).Fit(TextData(ml));

            // Simulate a crash at step 5: the last checkpoint on disk is step 4.
            var crashing = Options(steps: 8, checkpoints: killedFolder);
            crashing.Progress = new Progress(p => { if (p.Step == 5) throw new IOException("simulated crash"); });
            Assert.ThrowsExactly<IOException>(() => ml.Transforms.Megalodon().Pretrain(crashing).Fit(TextData(ml)));

            var resume = Options(steps: 8, checkpoints: killedFolder);
            resume.ResumeFromCheckpoint = true;
            using var resumed = ml.Transforms.Megalodon().Pretrain(resume).Fit(TextData(ml));

            var expected = reference.Model.ReferenceStateDict();
            var actual = resumed.Model.ReferenceStateDict();
            foreach (var (name, tensor) in expected)
                Assert.AreEqual(0.0, (tensor.to_type(torch.ScalarType.Float64) - actual[name].to_type(torch.ScalarType.Float64)).abs().max().item<double>(), $"weights differ in {name}");
        }
        finally
        {
            Directory.Delete(uninterruptedFolder, true);
            Directory.Delete(killedFolder, true);
        }
    }

    private static string ScratchFolder() => Path.Combine(Path.GetTempPath(), $"megalodon-ckpt-{Guid.NewGuid():N}");

    private sealed class Progress(Action<Megalodon.ML.Training.TrainingProgress> report) : IProgress<Megalodon.ML.Training.TrainingProgress>
    {
        public void Report(Megalodon.ML.Training.TrainingProgress value) => report(value);
    }
}
