// Shared-Bottom against a single-task model on a rare task that shares structure with a common one:
// likes are rare, clicks are not, and both follow the same user affinity and item appeal.
using System;
using System.Linq;
using ModelDsl.Metrics;
using ModelDsl.Training;
using SharedBottom;

var world = new World(seed: 1);
var train = world.Impressions(200_000, seed: 2);
var test = world.Impressions(50_000, seed: 3);
Console.WriteLine($"{train.Count:N0} impressions: click rate {train.Average(i => i.Click ? 1.0 : 0):P1}, like rate {train.Average(i => i.Like ? 1.0 : 0):P2}");

var options = new TrainingOptions { Epochs = 3, BatchSize = 512, LearningRate = 3e-3, Seed = 7 };
using var shared = new ClickLikeModel.Trainer(options);
shared.Fit(train.Select(i => new ClickLikeModel { UserId = i.User, ItemId = i.Item, Click = i.Click, Like = i.Like }));
using var single = new LikeOnlyModel.Trainer(options);
single.Fit(train.Select(i => new LikeOnlyModel { UserId = i.User, ItemId = i.Item, Like = i.Like }));

var sharedLike = shared.Evaluate(test.Select(i => new ClickLikeModel { UserId = i.User, ItemId = i.Item, Click = i.Click, Like = i.Like }))[1];
var singleLike = single.Evaluate(test.Select(i => new LikeOnlyModel { UserId = i.User, ItemId = i.Item, Like = i.Like }))[0];
var oracle = BinaryMetrics.ComputeAuc(test.Select(i => (float)i.LikeProbability).ToArray(), test.Select(i => i.Like).ToArray());
Console.WriteLine($"Like AUC on held-out impressions: Shared-Bottom (click + like) {sharedLike.Auc:F4}, like alone {singleLike.Auc:F4}, true probability {oracle:F4}");
Console.WriteLine($"Like log loss: Shared-Bottom {sharedLike.LogLoss:F4}, like alone {singleLike.LogLoss:F4}");
