// Trains the generated Ranker for a few steps, exports ONNX, serves it through the generated
// Predictor and prints the marker line PackageTests looks for.
using System;
using System.IO;
using System.Linq;
using ModelDsl.Training;
using PackageConsumer;

var random = new Random(7);
var samples = Enumerable.Range(0, 1024).Select(_ =>
{
    var item = random.Next(10);
    var price = (float)random.NextDouble();
    return new Ranker { Item = item, Price = price, Click = random.NextDouble() < (item < 5 ? 0.8 : 0.2), Revenue = 2 * price + 0.1f * item };
}).ToList();

using var trainer = new Ranker.Trainer(new TrainingOptions { Epochs = 2, BatchSize = 128, LearningRate = 1e-2 });
trainer.Fit(samples.Take(896), samples.Skip(896));
var path = Path.Combine(AppContext.BaseDirectory, "ranker.onnx");
trainer.ExportOnnx(path);

using var predictor = new Ranker.Predictor(path);
var cheap = predictor.Predict(new Ranker.Features(Item: 1, Price: 0.5f));
var pricey = predictor.Predict(new Ranker.Features(Item: 8, Price: 0.5f));
if (!(cheap.Click is > 0 and < 1) || !(pricey.Click is > 0 and < 1) || !float.IsFinite(cheap.Revenue))
{
    Console.Error.WriteLine($"Unexpected predictions: {cheap}, {pricey}");
    return 1;
}
Console.WriteLine($"MODELDSL-PACKAGE-OK click {cheap.Click:F3}/{pricey.Click:F3} revenue {cheap.Revenue:F3}");
return 0;
