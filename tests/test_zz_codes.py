from tests.test_documents import *
def test_codes(app, demo):
    print("CODES", sorted({code for flow in demo.flows for code in flow.lawful_bases}), demo.status, demo.protocol_version)
