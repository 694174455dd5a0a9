"""The report's plain PyTorch loop (benchmark.py's reference): DataLoader over a TensorDataset,
batch 128, Adam, the six networks one after another, no Keras; with the correct head."""

from __future__ import annotations

import time


def run_reference(spec: dict) -> dict:
    """(a) The report's loop in plain PyTorch: each network trained and tested epoch by epoch."""
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    from study.data import load_dataset
    from study.protocol.byhand import REPORT_KERNELS
    from study.protocol.networks import NETWORKS, network_spec

    torch.manual_seed(spec["seed"])
    data = load_dataset(spec["data"]).limited(spec["train_limit"], spec["test_limit"])
    x_train = torch.from_numpy(data.x_train).permute(0, 3, 1, 2).contiguous()
    x_test = torch.from_numpy(data.x_test).permute(0, 3, 1, 2).contiguous()
    y_train = torch.from_numpy(data.y_train).long()
    y_test = torch.from_numpy(data.y_test).long()

    class NetA1(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 5, stride=2)
            self.linear1 = nn.Linear(576, 10)

        def forward(self, x):
            return self.linear1(torch.flatten(torch.relu(self.conv1(x)), 1))

    class NetA2(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 5, stride=2)
            self.conv2 = nn.Conv2d(4, 12, 3, stride=2)
            self.linear1 = nn.Linear(300, 10)

        def forward(self, x):
            x = torch.relu(self.conv2(torch.relu(self.conv1(x))))
            return self.linear1(torch.flatten(x, 1))

    byhand = torch.from_numpy(REPORT_KERNELS.copy()).unsqueeze(1)  # (4, 1, 5, 5)
    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=spec["batch_size"])
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=spec["batch_size"])
    loss_fn = nn.CrossEntropyLoss()
    epoch_seconds = [0.0] * spec["epochs"]
    peaks = {}
    start = time.perf_counter()
    for name in NETWORKS:
        scheme = network_spec(name)
        net = NetA1() if scheme.architecture == "NetA1" else NetA2()
        if scheme.byhand_conv1:
            with torch.no_grad():
                net.conv1.weight.copy_(byhand)
                net.conv1.bias.zero_()
        if scheme.conv1_frozen:
            net.conv1.weight.requires_grad_(False)
            net.conv1.bias.requires_grad_(False)
        optimizer = torch.optim.Adam(net.parameters(), lr=spec["learning_rate"])
        accuracies = []
        for epoch in range(spec["epochs"]):
            t0 = time.perf_counter()
            net.train()
            for images, labels in train_loader:
                optimizer.zero_grad()
                loss = loss_fn(net(images), labels)
                loss.backward()
                optimizer.step()
            net.eval()
            correct = 0
            with torch.no_grad():
                for images, labels in test_loader:
                    correct += int((net(images).argmax(1) == labels).sum())
            accuracies.append(correct / len(y_test))
            epoch_seconds[epoch] += time.perf_counter() - t0
        peaks[name] = max(accuracies)
    return {"study_seconds": time.perf_counter() - start, "epoch_walls": epoch_seconds,
            "peak_accuracy": peaks, "versions": f"torch {torch.__version__}"}
