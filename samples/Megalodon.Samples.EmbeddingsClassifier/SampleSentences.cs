namespace Megalodon.Samples.EmbeddingsClassifier;

/// <summary>The sample's data: short sentences about three topics, kept in code so the sample needs no files.</summary>
public static class SampleSentences
{
    /// <summary>The topics.</summary>
    public static readonly IReadOnlyList<string> Categories = ["weather", "cooking", "sport"];

    /// <summary>Sentences the pipeline is fitted on (the language model is pretrained on their text).</summary>
    public static readonly IReadOnlyList<SentenceRow> Training =
    [
        Row("weather", "It will rain all day tomorrow with strong winds."),
        Row("weather", "The forecast says sunny skies and warm temperatures."),
        Row("weather", "Heavy snow fell overnight and the roads are icy."),
        Row("weather", "A cold front brings clouds and light drizzle."),
        Row("weather", "Thunderstorms are expected late in the afternoon."),
        Row("weather", "The morning fog will clear by noon."),
        Row("weather", "Temperatures drop below freezing tonight."),
        Row("weather", "A warm breeze and clear skies this weekend."),
        Row("weather", "Rain showers move in from the west this evening."),
        Row("weather", "The wind picks up and the sky turns grey."),
        Row("weather", "Hail and thunder hit the valley at dawn."),
        Row("weather", "It is humid and hot with a chance of storms."),
        Row("cooking", "Chop the onions and fry them in olive oil."),
        Row("cooking", "Bake the bread in a hot oven for forty minutes."),
        Row("cooking", "Stir the sauce slowly and add a pinch of salt."),
        Row("cooking", "Boil the pasta and drain it before serving."),
        Row("cooking", "Whisk the eggs with sugar and melted butter."),
        Row("cooking", "Roast the chicken with garlic and lemon."),
        Row("cooking", "Simmer the soup with carrots and fresh herbs."),
        Row("cooking", "Knead the dough and let it rise for an hour."),
        Row("cooking", "Season the fish and grill it on both sides."),
        Row("cooking", "Mix the flour, butter and milk into a batter."),
        Row("cooking", "Slice the tomatoes and sprinkle them with basil."),
        Row("cooking", "Melt the chocolate over a pan of warm water."),
        Row("sport", "The striker scored twice in the second half."),
        Row("sport", "Our team won the match after extra time."),
        Row("sport", "The runner set a new record in the marathon."),
        Row("sport", "The coach praised the defence after the game."),
        Row("sport", "She served an ace to win the tennis final."),
        Row("sport", "The goalkeeper saved a penalty in the last minute."),
        Row("sport", "The cyclists climbed the mountain stage in the race."),
        Row("sport", "The league season starts with a derby match."),
        Row("sport", "He swam the relay and the team took gold."),
        Row("sport", "The referee showed a red card to the captain."),
        Row("sport", "The players trained hard before the cup final."),
        Row("sport", "The fans cheered as the team scored a late goal."),
    ];

    /// <summary>Held-out sentences the pipeline is evaluated on.</summary>
    public static readonly IReadOnlyList<SentenceRow> Test =
    [
        Row("weather", "Snow and strong winds are forecast for tonight."),
        Row("weather", "Clear skies and sunny weather all week."),
        Row("weather", "Light rain and fog in the early morning."),
        Row("weather", "A storm brings thunder and heavy rain."),
        Row("cooking", "Fry the garlic in butter and add the herbs."),
        Row("cooking", "Bake the cake in the oven for half an hour."),
        Row("cooking", "Boil the potatoes and season them with salt."),
        Row("cooking", "Stir the flour into the melted butter."),
        Row("sport", "The team scored a goal in the final minute."),
        Row("sport", "She won the race and set a new record."),
        Row("sport", "The captain led the team to win the match."),
        Row("sport", "The coach and players celebrated the cup."),
    ];

    private static SentenceRow Row(string category, string text) => new() { Category = category, Text = text };
}
