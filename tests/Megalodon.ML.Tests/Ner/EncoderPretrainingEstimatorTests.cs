using Megalodon.ML.Encoder;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.EncoderPretraining;
using Megalodon.ML.Transforms.NuNer;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class EncoderPretrainingEstimatorTests
{
    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private static IDataView Texts(MLContext ml, int count) =>
        ml.Data.LoadFromEnumerable(EncoderToyData.Sentences(count).Select(s => new TextRow { Text = s.Text }));

    private static MaskedLanguageModelEstimator.Options MlmOptions(int steps) => new()
    {
        EncoderConfig = EncoderPresets.Tiny() with { NumLayers = 1, ChunkSize = 8 },
        MaxSteps = steps,
        BatchSize = 8,
        LearningRate = 3e-3,
        Seed = 1,
    };

    [TestMethod]
    public void MlmPretrainingOverADataViewGivesAnEncoderNuNerTakesAndEmbeddingsThatRoundTrip()
    {
        var ml = new MLContext(seed: 1);
        var texts = Texts(ml, 32);
        using var pretrained = ml.Transforms.Megalodon().PretrainEncoder(MlmOptions(30)).Fit(texts);
        Assert.HasCount(30, pretrained.TrainingResult!.Losses);
        Assert.IsLessThan(pretrained.TrainingResult.MeanOfFirst(5), pretrained.TrainingResult.MeanOfLast(5));
        Assert.IsNull(pretrained.ConceptEncoder);

        // The embedding column, and the same values after Save/Load in a fresh context.
        var features = pretrained.Transform(texts).GetColumn<float[]>("Features").ToArray();
        Assert.HasCount(pretrained.Encoder.FeatureDim, features[0]);
        using var scratch = new ScratchFolder();
        ml.Model.Save(pretrained, texts.Schema, scratch.File("encoder.zip"));
        var loaded = (TextEncoderTransformer)new MLContext().Model.Load(scratch.File("encoder.zip"), out _);
        var again = loaded.Transform(texts).GetColumn<float[]>("Features").ToArray();
        for (int i = 0; i < features.Length; i++)
            CollectionAssert.AreEqual(features[i], again[i]);

        // NuNER fine-tunes from it, in memory or from the saved file.
        var ner = ml.Data.LoadFromNerSentences(EncoderToyData.Sentences(16));
        using var fromMemory = ml.MulticlassClassification.Trainers.NuNer(new NuNerTrainer.Options { Encoder = pretrained.Encoder, MaxSteps = 2, Seed = 1 }).Fit(ner);
        pretrained.SaveEncoder(scratch.File("text-encoder.safetensors"));
        using var fromFile = ml.MulticlassClassification.Trainers.NuNer(encoderPath: scratch.File("text-encoder.safetensors"), maxEpochs: 1, seed: 1).Fit(ner);
        Assert.AreEqual(pretrained.Encoder.Config, fromFile.Classifier.Encoder.Config);
    }

    [TestMethod]
    public void MlmCheckpointsResumeToTheSameWeightsAsAnUnbrokenRun()
    {
        var ml = new MLContext(seed: 1);
        var texts = Texts(ml, 24);
        using var scratch = new ScratchFolder();
        var unbroken = MlmOptions(6);
        unbroken.CheckpointFolder = scratch.File("unbroken");
        unbroken.CheckpointInterval = 3;
        using var whole = ml.Transforms.Megalodon().PretrainEncoder(unbroken).Fit(texts);
        CollectionAssert.AreEqual(new[] { "step-0000003.safetensors", "step-0000006.safetensors" },
            Directory.GetFiles(unbroken.CheckpointFolder).Select(Path.GetFileName).Order().ToArray());

        // A run that "crashed" after step 3: only its first checkpoint is left, and resuming finishes the job.
        Directory.CreateDirectory(scratch.File("broken"));
        File.Copy(Path.Combine(unbroken.CheckpointFolder, "step-0000003.safetensors"), scratch.File("broken/step-0000003.safetensors"));
        var resumed = MlmOptions(6);
        resumed.CheckpointFolder = scratch.File("broken");
        resumed.CheckpointInterval = 3;
        resumed.ResumeFromCheckpoint = true;
        using var finished = ml.Transforms.Megalodon().PretrainEncoder(resumed).Fit(texts);
        CollectionAssert.AreEqual(whole.TrainingResult!.Losses.Take(3).ToArray(), finished.TrainingResult!.Losses.Take(3).ToArray());
        Assert.HasCount(6, finished.TrainingResult.Losses);
        var expected = whole.Encoder.StateTensors();
        foreach (var (name, tensor) in finished.Encoder.StateTensors())
            Assert.IsTrue(tensor.allclose(expected[name], 1e-5, 1e-6), $"{name} differs after resuming");
    }

    [TestMethod]
    public void ConceptPretrainingOverADataViewKeepsBothEncoders()
    {
        var ml = new MLContext(seed: 1);
        var concepts = ml.Data.LoadFromConceptSentences(EncoderToyData.ConceptSentences(32));
        using var mlm = ml.Transforms.Megalodon().PretrainEncoder(MlmOptions(4)).Fit(Texts(ml, 16));
        using var scratch = new ScratchFolder();
        var options = new ConceptPretrainingEstimator.Options
        {
            Encoder = mlm.Encoder, MaxSteps = 40, BatchSize = 8, LearningRate = 3e-3, Seed = 1,
            CheckpointFolder = scratch.File("concept"), CheckpointInterval = 20,
        };
        using var pretrained = ml.Transforms.Megalodon().PretrainConceptEncoder(options).Fit(concepts);
        Assert.IsNotNull(pretrained.ConceptEncoder);
        Assert.IsLessThan(pretrained.TrainingResult!.MeanOfFirst(5), pretrained.TrainingResult.MeanOfLast(5));
        Assert.HasCount(2, Directory.GetFiles(options.CheckpointFolder));
        // Both encoders serve the zero-shot tagger.
        var tagger = new ZeroShotTagger(pretrained.Encoder, pretrained.ConceptEncoder!);
        Assert.HasCount(5, tagger.Tag([EncodedWords.FromWords(["alice", "went", "to", "rome", "today"])], ["person", "city"], 0.5)[0]);
        var loaded = (TextEncoderTransformer)RoundTrip(ml, pretrained, concepts, scratch);
        Assert.IsNotNull(loaded.ConceptEncoder);
    }

    [TestMethod]
    public void ResumeWithoutAFolderAndNoBudgetAreRefused()
    {
        var ml = new MLContext(seed: 1);
        Assert.Throws<ArgumentException>(() => ml.Transforms.Megalodon().PretrainEncoder(new MaskedLanguageModelEstimator.Options()));
        Assert.Throws<ArgumentException>(() => ml.Transforms.Megalodon().PretrainEncoder(new MaskedLanguageModelEstimator.Options { MaxSteps = 1, ResumeFromCheckpoint = true }));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Megalodon().PretrainEncoder(textColumnName: "Body").Fit(Texts(ml, 2)));
        StringAssert.Contains(error.Message, "Body");
    }

    private static ITransformer RoundTrip(MLContext ml, ITransformer model, IDataView data, ScratchFolder scratch)
    {
        ml.Model.Save(model, data.Schema, scratch.File("model.zip"));
        return new MLContext().Model.Load(scratch.File("model.zip"), out _);
    }
}
