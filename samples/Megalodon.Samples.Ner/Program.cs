using System.Globalization;
using Megalodon.Samples.Ner;

// NER in an ML.NET app: CoNLL in, encoder pretraining, fine-tuning with dev early stopping, evaluation, save, reload, PredictionEngine.
// Usage: Megalodon.Samples.Ner [train.conll dev.conll test.conll [mlmSteps maxEpochs]]; with no files it uses a small built-in set.
var options = args.Length >= 3
    ? new NerSampleOptions
    {
        TrainPath = args[0], DevPath = args[1], TestPath = args[2],
        MlmSteps = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 300,
        MaxEpochs = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 10,
    }
    : new NerSampleOptions();
NerSample.Run(Console.Out, options);
return 0;
