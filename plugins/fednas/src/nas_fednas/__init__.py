"""FedNAS for nas: federated architecture search with real client processes.

The plugin (``nas_fednas.plugin``) is the server; every client is a process of its own
(``python -m nas_fednas.client``) that runs local epochs of the darts library's search on its
share of the data, and the clients aggregate their models with a sample-weighted all-reduce over
torch.distributed. See the README for the method, the options and how to put clients on several
machines.
"""
