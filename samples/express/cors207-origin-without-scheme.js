// Tickets API. One front end is listed as a bare host name and one pattern
// requires a path: the cors package compares both with the request's Origin
// (scheme://host[:port]), so neither front end is ever allowed.
const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: [
    'https://tickets.example.com',
    'helpdesk.example.com', // expect: CORS207
    /^https:\/\/status\.example\.com\//, // expect: CORS207
  ],
}));

app.get('/api/tickets', (req, res) => res.json([]));

app.listen(3000);
