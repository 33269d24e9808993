def test_front_page_renders(client):
    assert client.get("/").status_code == 200
